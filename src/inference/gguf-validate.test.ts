/** Tests of GGUF header validation: every rejection happens before llama.cpp is involved. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { InferenceError } from './errors.ts';
import { checkGgufInfo, validateGgufFile } from './gguf-validate.ts';
import { buildTinyGguf, writeTinyGguf } from './tiny-gguf.ts';

function isModelInvalid(mention: string): (err: unknown) => boolean {
  return (err) => err instanceof InferenceError && err.code === 'MODEL_INVALID' && err.message.includes(mention);
}

describe('validateGgufFile', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'enclave-gguf-validate-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('summarises a valid file', async () => {
    const path = join(dir, 'ok.gguf');
    await writeTinyGguf(path, { contextLength: 1024 });
    const s = await validateGgufFile(path);
    assert.equal(s.path, path);
    assert.equal(s.architecture, 'llama');
    assert.equal(s.contextLength, 1024);
    assert.equal(s.embeddingLength, 32);
    assert.equal(s.blockCount, 2);
    assert.equal(s.vocabularySize, 354);
    assert.equal(s.tensorCount, 2 + 2 * 9);
  });

  describe('when a required key is missing', () => {
    for (const key of [
      'llama.feed_forward_length', 'llama.attention.head_count', 'llama.context_length',
      'llama.embedding_length', 'llama.block_count', 'tokenizer.ggml.tokens', 'general.architecture',
    ]) {
      it(`throws MODEL_INVALID naming ${key}`, async () => {
        const path = join(dir, `no-${key}.gguf`);
        await writeTinyGguf(path, { omit: [key] });
        await assert.rejects(validateGgufFile(path), isModelInvalid(key));
      });
    }
  });

  it('rejects a file that is not GGUF', async () => {
    const path = join(dir, 'junk.gguf');
    await writeFile(path, Buffer.from('this is not a model, only some text pretending to be one'));
    await assert.rejects(validateGgufFile(path), isModelInvalid('not a readable GGUF file'));
  });

  it('rejects a header cut short anywhere', async () => {
    const path = join(dir, 'short.gguf');
    for (const length of [12, 200, 600, 3000, 9000]) {
      await writeFile(path, buildTinyGguf().subarray(0, length));
      await assert.rejects(validateGgufFile(path), isModelInvalid('not a readable GGUF file'), `cut at ${length}`);
    }
  });

  it('rejects a missing path and a directory', async () => {
    await assert.rejects(validateGgufFile(join(dir, 'absent.gguf')), isModelInvalid('cannot be read'));
    await mkdir(join(dir, 'sub.gguf'));
    await assert.rejects(validateGgufFile(join(dir, 'sub.gguf')), isModelInvalid('not a regular file'));
  });

  it('refuses URIs: the loader would fetch them, and there is no egress', async () => {
    for (const uri of ['https://huggingface.co/x/y.gguf', 'hf:user/model/file.gguf', 'file:///tmp/x.gguf']) {
      await assert.rejects(validateGgufFile(uri), isModelInvalid('only local file paths'));
    }
  });
});

describe('checkGgufInfo', () => {
  let info: GgufFileInfo;
  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'enclave-gguf-check-'));
    const path = join(dir, 'ok.gguf');
    await writeTinyGguf(path);
    info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false });
    await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the parsed header with one nested metadata value replaced (hostile files say anything). */
  function withMeta(path: string[], value: unknown): GgufFileInfo {
    const metadata = structuredClone(info.metadata) as unknown as Record<string, unknown>;
    let node = metadata;
    for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
    node[path[path.length - 1] ?? ''] = value;
    return { ...info, metadata: metadata as unknown as GgufFileInfo['metadata'] };
  }

  it('rejects counts that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, '32', 2 ** 60]) {
      assert.throws(() => checkGgufInfo('m', withMeta(['llama', 'embedding_length'], bad)), isModelInvalid('llama.embedding_length'));
    }
  });

  it('accepts one head count per block and rejects a list of the wrong length', () => {
    assert.equal(checkGgufInfo('m', withMeta(['llama', 'attention', 'head_count'], [2, 2])).blockCount, 2);
    assert.throws(() => checkGgufInfo('m', withMeta(['llama', 'attention', 'head_count'], [2])), isModelInvalid('llama.attention.head_count'));
    assert.throws(() => checkGgufInfo('m', withMeta(['llama', 'feed_forward_length'], [0, 0])), isModelInvalid('llama.feed_forward_length'));
  });

  it('rejects an architecture name that is not a plain identifier', () => {
    assert.throws(() => checkGgufInfo('m', withMeta(['general', 'architecture'], '__proto__.x')), isModelInvalid('general.architecture'));
  });

  it('rejects an empty or non-string vocabulary', () => {
    assert.throws(() => checkGgufInfo('m', withMeta(['tokenizer', 'ggml', 'tokens'], [])), isModelInvalid('tokenizer.ggml.tokens'));
    assert.throws(() => checkGgufInfo('m', withMeta(['tokenizer', 'ggml', 'tokens'], [1, 2])), isModelInvalid('tokenizer.ggml.tokens'));
  });

  it('rejects a file with no tensors', () => {
    assert.throws(() => checkGgufInfo('m', { ...info, totalTensorCount: 0 }), isModelInvalid('no tensors'));
  });
});
