// Mocha root hooks: no namespace outlives the run, whatever happens inside a test.
import { destroyAll, sweepStale } from './netns';

export const mochaHooks = {
  beforeAll(): void {
    sweepStale();
  },
  afterAll(): void {
    destroyAll();
  },
};
