import { expect, it } from 'vitest';

it('runs in a real browser with workers available', () => {
  expect(typeof window).toBe('object');
  expect(typeof Worker).toBe('function');
});
