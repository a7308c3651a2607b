// What the console's live feed needs to hear: that some call changed (any node's), so it reads the
// live calls again at once instead of on a timer. The listener gets no payload: the call store
// stays the one source of what is live.
export interface CallChanges {
  // Calls `listener` after each call event until the returned function is called.
  subscribe(listener: () => void): () => void;
}
