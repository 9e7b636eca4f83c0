import type { Clock } from '../../libs/common/src';
import { TestTree, createTree } from './fixtures';
import { Stack, api, login, startStack } from './stack';

/** What the administration tests share: one stack, and for each test a fresh tree with its city and a1 admins. */
export interface AdminRig {
  stack: Stack;
  tree: TestTree;
  /** A signed-in admin of the tree's city (administers everything). */
  cityAdmin: string;
  /** A signed-in admin of district a1 (delegation: a1's stations, lines and people only). */
  a1Admin: string;
  /** A call to `/api/admin<path>` as `token`. */
  call(token: string, method: string, path: string, body?: unknown): ReturnType<typeof api>;
}

/**
 * Registers the hooks of an administration test file (call it inside `describe`): the stack for the file, a new
 * tree and its two admins before each test, the stack closed after the file.
 */
export function adminRig(env: Record<string, string> = {}, opts: { clock?: Clock } = {}): AdminRig {
  const rig = {
    call: (token: string, method: string, path: string, body?: unknown) =>
      api(rig.stack.url, method, `/admin${path}`, { token, body }),
  } as AdminRig;
  beforeAll(async () => {
    rig.stack = await startStack(env, opts);
  });
  beforeEach(async () => {
    rig.tree = await createTree(rig.stack.app);
    rig.cityAdmin = await login(rig.stack.url, (await rig.tree.user('admin', rig.tree.cityId)).username);
    rig.a1Admin = await login(rig.stack.url, (await rig.tree.user('admin', rig.tree.districts.a1)).username);
  });
  afterAll(async () => rig.stack.close());
  return rig;
}
