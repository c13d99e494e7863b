import { describe, expect, it } from 'vitest';
import { worstSeverity, type CheckResult } from '../../src/core/check/result.ts';

const r = (severity: CheckResult['severity']): CheckResult => ({ id: 'x', severity, title: '', detail: '', evidence: {} });

describe('worstSeverity', () => {
  it('picks block over warn over info', () => {
    expect(worstSeverity([r('info'), r('warn')])).toBe('warn');
    expect(worstSeverity([r('warn'), r('block'), r('info')])).toBe('block');
    expect(worstSeverity([])).toBe('info');
  });
});
