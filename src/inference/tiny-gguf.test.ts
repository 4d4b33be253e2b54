/** Tests of the tiny GGUF writer: the file parses back with two independent GGUF readers. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gguf } from '@huggingface/gguf';
import { readGgufFileInfo } from 'node-llama-cpp';
import { buildTinyGguf, buildTinyVocabulary, writeTinyGguf } from './tiny-gguf.ts';

describe('buildTinyVocabulary', () => {
  it('has unique tokens with a type each, byte tokens typed 6', () => {
    const { tokens, types } = buildTinyVocabulary();
    assert.equal(new Set(tokens).size, tokens.length);
    assert.equal(types.length, tokens.length);
    assert.deepEqual(tokens.slice(0, 3), ['<unk>', '<s>', '</s>']);
    assert.equal(tokens[3], '<0x00>');
    assert.equal(tokens[258], '<0xFF>');
    assert.ok(types.slice(3, 259).every((t) => t === 6));
    assert.ok(tokens.includes('\u2581') && tokens.includes('a') && tokens.includes('~'));
  });
});

describe('buildTinyGguf', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    assert.ok(buildTinyGguf({ seed: 3 }).equals(buildTinyGguf({ seed: 3 })));
    assert.ok(!buildTinyGguf({ seed: 3 }).equals(buildTinyGguf({ seed: 4 })));
  });

  it('starts with the GGUF magic and version 3', () => {
    const bytes = buildTinyGguf();
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'GGUF');
    assert.equal(bytes.readUInt32LE(4), 3);
  });

  it('rejects shapes llama.cpp cannot use', () => {
    assert.throws(() => buildTinyGguf({ nEmbd: 30, nHead: 4 }), RangeError);
    assert.throws(() => buildTinyGguf({ nLayer: 0 }), RangeError);
  });
});

describe('writeTinyGguf', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'enclave-tiny-gguf-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('parses back with node-llama-cpp, shapes and alignment as written', async () => {
    const path = join(dir, 'a.gguf');
    await writeTinyGguf(path, { seed: 9, nEmbd: 16, nLayer: 1, nHead: 2, nFf: 48, contextLength: 512 });
    const info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false });
    assert.equal(info.version, 3);
    const llama = info.metadata.llama;
    assert.ok(llama);
    assert.equal(llama.context_length, 512);
    assert.equal(llama.embedding_length, 16);
    assert.equal(llama.block_count, 1);
    assert.equal(llama.feed_forward_length, 48);
    assert.equal(llama.attention.head_count, 2);
    assert.equal(info.metadata.tokenizer.ggml.tokens.length, buildTinyVocabulary().tokens.length);
    const tensors = info.tensorInfo ?? [];
    assert.equal(tensors.length, 2 + 9);
    const embd = tensors.find((t) => t.name === 'token_embd.weight');
    assert.deepEqual(embd?.dimensions.map(Number), [16, buildTinyVocabulary().tokens.length]);
    assert.ok(tensors.every((t) => Number(t.offset) % 32 === 0));
    assert.equal((info.infoEndOffset ?? 1) % 32, 0);
  });

  it('parses back with @huggingface/gguf', async () => {
    const path = join(dir, 'b.gguf');
    await writeTinyGguf(path);
    const { metadata, tensorInfos } = await gguf(path, { allowLocalFile: true });
    assert.equal(metadata['general.architecture'], 'llama');
    assert.ok(Math.abs(Number(metadata['llama.attention.layer_norm_rms_epsilon']) - 1e-5) < 1e-9);
    assert.equal(tensorInfos.length, 2 + 2 * 9);
  });

  it('leaves out the keys named in omit', async () => {
    const path = join(dir, 'c.gguf');
    await writeTinyGguf(path, { omit: ['llama.feed_forward_length'] });
    const info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false });
    assert.equal(info.metadata.llama?.feed_forward_length, undefined);
    assert.equal(info.metadata.llama?.block_count, 2);
  });
});
