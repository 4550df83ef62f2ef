import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NameTable } from '../../engine/names';
import { WordSet } from '../../engine/parser';

describe('NameTable', () => {
  const entry = (name: string, id: number) => ({ name, id });

  it('finds what was added, refuses a taken name with the entry that has it, and keeps the order of addition', () => {
    const table = new NameTable<{ name: string; id: number }>(2);
    assert.equal(table.addUnlessTaken(entry('c1', 1)), undefined);
    assert.equal(table.addUnlessTaken(entry('p1', 2)), undefined);
    assert.deepEqual(table.addUnlessTaken(entry('c1', 3)), entry('c1', 1));
    assert.deepEqual(table.get('c1'), entry('c1', 1));
    assert.equal(table.get('c2'), undefined);
    assert.equal(table.get(''), undefined);
    assert.deepEqual(table.names(), ['c1', 'p1']);
  });

  it('grows past the size it was made for, and agrees with a Map on any names', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 4 }), { maxLength: 300 }), fc.nat(8), (names, expected) => {
        // Short strings over a few characters collide often, in hash and in full.
        const table = new NameTable<{ name: string; id: number }>(expected);
        const map = new Map<string, { name: string; id: number }>();
        names.forEach((name, id) => {
          const taken = table.addUnlessTaken(entry(name, id));
          assert.deepEqual(taken, map.get(name));
          if (!map.has(name)) map.set(name, entry(name, id));
        });
        for (const name of [...names, 'absent', 'x'.repeat(5)]) assert.deepEqual(table.get(name), map.get(name));
        assert.deepEqual(table.names(), [...map.keys()]);
      }),
    );
  });
});

describe('WordSet', () => {
  const set = new WordSet(['conv', 'concat', 'pool', 'relu', 'conv']);

  it('matches a word where it stands in a text, and only the whole word', () => {
    const text = 'c1: conv 6 5x5; concat a b; convolution; pool';
    const at = (word: string): [number, number] => [text.indexOf(word), text.indexOf(word) + word.length];
    assert.equal(set.find(text, ...at('conv')), 'conv');
    assert.equal(set.find(text, ...at('concat')), 'concat');
    assert.equal(set.find(text, ...at('convolution')), undefined, 'convolution begins with conv but is not it');
    assert.equal(set.find(text, ...at('pool')), 'pool');
    assert.equal(set.find(text, ...at('c1')), undefined);
    assert.equal(set.find(text, 3, 3), undefined, 'an empty range');
  });

  it('answers its own string, so equal words share one', () => {
    const text = `x ${'con'}${'v'}`;
    const found = set.find(text, 2, 6);
    assert.equal(found, 'conv');
    assert.ok(set.has('relu') && !set.has('rel') && !set.has('relux') && !set.has(''));
  });
});
