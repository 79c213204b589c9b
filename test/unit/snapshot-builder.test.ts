// toFeatures compiles a builder per frozen names table after a few uses; its results must be the
// loop's, key for key and in the same order, for every bit position and word.
import { strict as assert } from 'assert';
import { FeatureState, Snapshot, toFeatures as typedToFeatures, usesCompiledBuilder } from '../../ts/core/snapshot';

/** The results as plain tables: these tests use made-up names the typings do not know. */
const toFeatures = (s: Snapshot) => typedToFeatures(s) as unknown as Record<string, FeatureState>;

function randomBlocks(words: number, seed: number): Uint32Array {
  const b = new Uint32Array(words * 4);
  let x = seed;
  for (let i = 0; i < b.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x;
  }
  return b;
}

// 70 names over three words: holes, bit 31 of a word (negative int32 masks), names needing quotes.
function table(): string[] {
  const names: string[] = [];
  for (let i = 0; i < 70; i++) names.push(i % 9 === 4 ? '' : `feat-${i}`);
  names[31] = 'bit "31"\\';
  names[63] = 'toString';
  return names;
}

function toFeaturesFromLoop(s: Snapshot) {
  return toFeatures({ ...s, names: [...s.names] }); // an unfrozen table always takes the loop
}

describe('toFeatures compiled builder', () => {
  it('gives the same objects, in the same key order, as the plain loop, before and after compiling', () => {
    const frozen = Object.freeze(table());
    for (let call = 0; call < 30; call++) {
      const blocks = randomBlocks(3, call + 1);
      const viaBuilder = toFeatures({ names: frozen, words: 3, blocks });
      const viaLoop = toFeatures({ names: table(), words: 3, blocks }); // not frozen: always the loop
      assert.deepStrictEqual(viaBuilder, viaLoop);
      assert.deepStrictEqual(Object.keys(viaBuilder), Object.keys(viaLoop));
      assert.equal(Object.getPrototypeOf(viaBuilder), Object.prototype);
      // and the loop against the definition, one bit at a time
      for (const [i, name] of frozen.entries()) {
        if (!name) continue;
        const w = (i >>> 5) * 4;
        const m = 1 << (i & 31);
        const available = (blocks[w] & m) !== 0;
        assert.deepStrictEqual(viaLoop[name], {
          active: (blocks[w + 2] & m) !== 0,
          requested: (blocks[w + 1] & m) !== 0,
          available,
          fixed: !available || (blocks[w + 3] & m) !== 0,
        });
      }
    }
  });

  it('switches a frozen table to its compiled builder after 8 uses (an unfrozen one never)', () => {
    const frozen = Object.freeze(table());
    const loose = table();
    for (let call = 1; call <= 12; call++) {
      toFeatures({ names: frozen, words: 3, blocks: randomBlocks(3, call) });
      toFeatures({ names: loose, words: 3, blocks: randomBlocks(3, call) });
      assert.equal(usesCompiledBuilder(frozen), call >= 8, `after ${call} uses`);
      assert.equal(usesCompiledBuilder(loose), false);
    }
  });

  it('a feature named "__proto__" is an own property in both the compiled builder and the loop', () => {
    const names = table();
    names[40] = '__proto__';
    const frozen = Object.freeze([...names]);
    for (let call = 0; call < 12; call++) {
      const blocks = randomBlocks(3, call + 7);
      const viaBuilder = toFeatures({ names: frozen, words: 3, blocks });
      const viaLoop = toFeatures({ names, words: 3, blocks });
      for (const r of [viaBuilder, viaLoop]) {
        assert.equal(Object.getPrototypeOf(r), Object.prototype);
        assert.deepEqual(Object.keys(r), names.filter(Boolean));
        assert.ok(Object.getOwnPropertyDescriptor(r, '__proto__')?.enumerable);
      }
      assert.deepStrictEqual(viaBuilder, viaLoop);
    }
    assert.equal(usesCompiledBuilder(frozen), true);
  });

  it('returns a fresh result object every call, whose per-feature states are shared and frozen', () => {
    const names = Object.freeze(['a', 'b']);
    const s: Snapshot = { names, words: 1, blocks: new Uint32Array([3, 3, 3, 0]) };
    for (let i = 0; i < 20; i++) toFeatures(s);
    const one = toFeatures(s);
    const two = toFeatures(s);
    assert.notEqual(one, two);
    delete one.b; // the result itself belongs to the caller
    assert.ok('b' in two);
    assert.ok(Object.isFrozen(two.a));
    assert.equal(Reflect.set(two.a, 'active', false), false);
    assert.equal(toFeatures(s).a.active, true);
    // the loop (first uses, unfrozen tables) gives the same shared states
    assert.equal(toFeaturesFromLoop(s).a, two.a);
  });
});
