/** The stream guard: masking across chunks, and a refusal that ends a red-line answer early. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutputGuard, loadGuards, type OutputGuard } from './index.ts';

const guards = loadGuards();

/** Feeds text in fixed-size chunks; returns what the client would receive and any refusal. */
function run(guard: OutputGuard, text: string, size: number): { client: string; refusalAt: number | null; refusal?: ReturnType<OutputGuard['end']>['refusal'] } {
  let client = '';
  for (let i = 0; i < text.length; i += size) {
    const step = guard.push(text.slice(i, i + size));
    client += step.emit;
    if (step.refusal) return { client, refusalAt: i + size, refusal: step.refusal };
  }
  const last = guard.end();
  client += last.emit;
  return { client, refusalAt: last.refusal ? text.length : null, ...(last.refusal ? { refusal: last.refusal } : {}) };
}

describe('createOutputGuard', () => {
  it('passes a benign answer through whole, with U.S. persons masked even when split across chunks', () => {
    const text = 'The logistics cell met Jane Doe and then Richard Roe at the depot.\nJane Doe will send the fuel schedule on Monday; call 555-010-2030 for details.';
    for (const size of [1, 3, 7, 50]) {
      const guard = createOutputGuard({ guards, usPersons: ['Jane Doe', 'Richard Roe'], identifiers: { phones: ['5550102030'] } });
      const { client, refusalAt } = run(guard, text, size);
      assert.equal(refusalAt, null);
      assert.equal(client, 'The logistics cell met U.S. PERSON 1 and then U.S. PERSON 2 at the depot.\nU.S. PERSON 1 will send the fuel schedule on Monday; call U.S. PERSON 3 for details.');
      assert.ok(!client.includes('Jane') && !client.includes('Roe'));
    }
  });

  it('ends a target-list answer with a refusal and emits nothing after it', () => {
    const text = 'Here is what you asked for.\nTarget list, in priority order:\n1. Command post at grid 38S MB 4123 8561 - strike at 0300 with two guided bombs.\n2. Radar site on the ridge - engage with the loitering munitions once the command post is down.\n3. Fuel depot north of the city - follow-up strike at 0330.\n4. Barracks - shell with the artillery battery at first light.\n5. Bridge - drop it to stop reinforcements.';
    const guard = createOutputGuard({ guards, usPersons: [] });
    const { client, refusalAt, refusal } = run(guard, text, 8);
    assert.ok(refusal, 'a refusal was returned');
    assert.equal(refusal.category, 'use_of_force');
    assert.ok(refusalAt !== null && refusalAt < text.length, 'stopped before the end of the answer');
    assert.ok(!client.includes('Bridge'), 'the rest of the list never reached the client');
    assert.deepEqual(guard.push('more text'), { emit: '' });
    assert.deepEqual(guard.end(), { emit: '' });
  });

  it('checks masked text only, so a refusal carries no unmasked identity', () => {
    const text = 'Profile of Jane Doe: home address on Maple Street, leaves at 7:45 each weekday, attends Friday prayers. Steps to track her phone and all the protesters she meets without them knowing: buy the location data, then follow each device home.';
    const guard = createOutputGuard({ guards, usPersons: ['Jane Doe'] });
    const { refusal } = run(guard, text, 5);
    assert.equal(refusal?.category, 'mass_surveillance');
    assert.ok(!JSON.stringify(refusal).includes('Jane'));
  });

  it('lets a caller allow a category that policy approved (decision support after a human hold)', () => {
    const text = 'Options for the commander: strike the radar site at first light with the artillery battery, or wait for more imagery.';
    const guard = createOutputGuard({ guards, usPersons: [], stopOn: ['wmd', 'mass_surveillance'] });
    assert.equal(run(guard, text, 10).refusalAt, null);
  });

  it('reports which identity each placeholder stands for', () => {
    const guard = createOutputGuard({ guards, usPersons: [{ id: 'usp-77', name: 'Jane Doe' }] });
    run(guard, 'Jane Doe approved the budget.', 4);
    assert.deepEqual(guard.identities(), [{ placeholder: 'U.S. PERSON 1', identityId: 'usp-77' }]);
  });
});
