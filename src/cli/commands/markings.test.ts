/** `enclave markings`, run in-process: banner roll-ups, access checks, parsing and usage errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bufferIO } from '../io.ts';
import { markingsCommand } from './markings.ts';

async function run(...argv: string[]) {
  const io = bufferIO();
  const code = await markingsCommand(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('enclave markings', () => {
  describe('banner', () => {
    it('prints the roll-up of the portions (markings.md worked example 5)', async () => {
      const r = await run('banner', '(TS//SI-G//OC/NF)', '(TS//TK//NF)', '(S//REL TO USA, FVEY)');
      assert.deepEqual(r, { code: 0, out: 'TOP SECRET//SI-G/TK//ORCON/NOFORN\n', err: '' });
    });

    it('names the marking and the rule when a portion is invalid', async () => {
      const r = await run('banner', '(S)', '(S//NF/REL TO USA, GBR)');
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.match(r.err, /"\(S\/\/NF\/REL TO USA, GBR\)".*NOFORN and REL TO are mutually exclusive \[NOFORN_WITH_REL_TO\]/);
    });

    it('needs at least one portion', async () => {
      assert.equal((await run('banner')).code, 2);
    });
  });

  describe('check', () => {
    it('allows what the clearance dominates', async () => {
      assert.deepEqual(await run('check', 'TOP SECRET//SI//NOFORN', '(S//SI//NF)'), { code: 0, out: 'allow\n', err: '' });
    });

    it('denies with the reason and rule, exit 1', async () => {
      const r = await run('check', 'SECRET', 'TOP SECRET//SI');
      assert.equal(r.code, 1);
      assert.match(r.out, /^deny: .*TOP SECRET.*\[no-read-up\.level\]\n$/);
    });

    it('decides releasability by --nationality', async () => {
      assert.equal((await run('check', 'TS', '(S//REL TO USA, FVEY)', '--nationality', 'GBR')).out, 'allow\n');
      const r = await run('check', '--nationality=DEU', 'TS', '(S//REL TO USA, FVEY)');
      assert.equal(r.code, 1);
      assert.match(r.out, /^deny: .*DEU.*\[releasability\.rel-to\]\n$/);
    });

    it('rejects an invalid nationality, marking or argument count with exit 2', async () => {
      assert.equal((await run('check', 'TS', 'S', '--nationality', 'ZZZ')).code, 2);
      assert.equal((await run('check', 'TS', 'S//BOGUS')).code, 2);
      assert.equal((await run('check', 'TS')).code, 2);
      assert.equal((await run('check', 'TS', 'S', '--colour', 'red')).code, 2);
    });
  });

  describe('parse', () => {
    it('prints the canonical banner, portion mark and label as JSON', async () => {
      const r = await run('parse', ' secret // rel to usa,fvey ');
      assert.equal(r.code, 0);
      const json = JSON.parse(r.out) as { banner: string; portion: string; label: { level: number; relTo: string[] } };
      assert.equal(json.banner, 'SECRET//REL TO USA, AUS, CAN, GBR, NZL');
      assert.equal(json.portion, '(S//REL TO USA, AUS, CAN, GBR, NZL)');
      assert.equal(json.label.level, 2);
      assert.deepEqual(json.label.relTo, ['USA', 'AUS', 'CAN', 'GBR', 'NZL']);
    });

    it('exits 2 on an invalid marking', async () => {
      const r = await run('parse', '(TS//SI-G//NF)');
      assert.equal(r.code, 2);
      assert.match(r.err, /SI-G \(SI-GAMMA\) requires ORCON \[SIG_REQUIRES_ORCON\]/);
    });
  });

  it('prints usage on stderr and exits 2 without a known subcommand', async () => {
    for (const argv of [[], ['frobnicate']]) {
      const r = await run(...argv);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.match(r.err, /usage:/);
    }
  });
});
