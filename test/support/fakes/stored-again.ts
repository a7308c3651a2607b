import { Call, InMemoryCallStore, restoreState } from '../../../app/call-state';
import { decodeCall, encodeCall } from '../../../app/call-state/call-codec';

// The live calls of a store as a restarted controller finds them: through their stored (binary)
// form, so that only what the store keeps survives, as in Redis.
export async function storedAgain(store: InMemoryCallStore): Promise<InMemoryCallStore> {
  const again = new InMemoryCallStore();
  for (const call of await store.liveCalls()) {
    const snapshot = decodeCall(encodeCall(call.snapshot()));
    await again.save(Call.restore(snapshot, restoreState(snapshot.state, snapshot)));
  }
  return again;
}
