import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellsLine, copyText, sendLines } from './pg-copy.ts';

/** The CopyData chunks sendLines sends, each copied as the protocol writer copies it. */
function chunksOf(lines: string[]): Buffer[] {
  const sent: Buffer[] = [];
  sendLines({ sendCopyFromChunk: (c: Buffer) => sent.push(Buffer.from(c)) }, lines, (l) => l);
  return sent;
}

test('copyText escapes what COPY text format would misread, and writes NULL as \\N', () => {
  assert.equal(copyText(null), '\\N');
  assert.equal(copyText(undefined), '\\N');
  assert.equal(copyText(1.5), '1.5');
  assert.equal(copyText('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
  assert.equal(cellsLine(['x', 2, null]), 'x\t2\t\\N\n');
});

test('lines go out whole, in order, in chunks of at most 256 KiB, non-ASCII intact', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) =>
    cellsLine([`MTR-${i}`, i % 7 ? 'kWh' : 'Zähler €', i]),
  );
  const sent = chunksOf(lines);
  assert.ok(sent.length > 1, `${sent.length} chunks`);
  for (const c of sent) {
    assert.ok(c.length <= 256 * 1024);
    assert.equal(c.at(-1), 0x0a, 'a chunk ends with a whole line');
  }
  assert.equal(Buffer.concat(sent).toString('utf8'), lines.join(''));
});

test('a line longer than a chunk goes alone, between the chunks around it', () => {
  const long = `${'é'.repeat(200_000)}\n`;
  const lines = ['a\n', long, 'b\n'];
  const sent = chunksOf(lines);
  assert.deepEqual(
    sent.map((c) => c.toString('utf8')),
    lines,
  );
  assert.deepEqual(chunksOf([]), []);
});
