import { describe, expect, it } from 'vitest';
import { fileSlug, toCsv } from '../../src/core/format/csv.ts';

describe('toCsv', () => {
  it('quotes what RFC 4180 needs, keeps numbers in full precision and leaves null empty', () => {
    const out = toCsv(['channel', 'roi', 'note'], [
      ['tv, national', 7.1634567890123, 'said "high"'],
      ['ooh', null, 'two\nlines'],
      ['print', Number.NaN, undefined],
    ]);
    expect(out).toBe(
      'channel,roi,note\r\n"tv, national",7.1634567890123,"said ""high"""\r\nooh,,"two\nlines"\r\nprint,NaN,\r\n',
    );
  });
  it('defuses spreadsheet formulas in text cells but not negative numbers', () => {
    expect(toCsv(['a', 'b'], [['=HYPERLINK("x")', -3.5]])).toBe('a,b\r\n"\'=HYPERLINK(""x"")",-3.5\r\n');
  });
});

describe('fileSlug', () => {
  it('makes a file name from a title', () => {
    expect(fileSlug('ROI by channel (90% interval)')).toBe('roi-by-channel-90-interval');
    expect(fileSlug('***')).toBe('export');
  });
});
