import { type Recording } from './model';

// Where a recording's sealed copies live in each location. A re-wrap (new evidence key) writes
// them under a name with the new key's id, so the old copies stay intact until the row points at
// the new ones.
export const objectKeyOf = (recording: Pick<Recording, 'warrantId' | 'id'>, keyId?: string): string =>
  `warrants/${recording.warrantId}/recordings/${recording.id}${keyId ? `.${keyId}` : ''}.wav.enc`;
