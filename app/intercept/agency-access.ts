import { RecordingNotFoundError, WarrantNotFoundError } from './errors';
import { type EvidenceVault } from './evidence-vault';
import { type ChainedRecord, type InterceptRepository, type Recording } from './model';
import { type Warrant } from './warrant';

// What an agency may read: its own warrants, their records and recordings, nothing else. Another
// agency's warrant is "not found", so its existence is not disclosed either.
export class AgencyAccess {
  constructor(private readonly deps: { repo: InterceptRepository; vault: EvidenceVault }) {}

  warrants(agencyId: string): Promise<Warrant[]> {
    return this.deps.repo.listWarrants(agencyId);
  }

  async warrant(agencyId: string, warrantId: string): Promise<Warrant> {
    const warrant = await this.deps.repo.getWarrant(warrantId);
    if (!warrant || warrant.agencyId !== agencyId) throw new WarrantNotFoundError(warrantId);
    return warrant;
  }

  async events(agencyId: string, warrantId: string, options: { afterSeq?: number; limit?: number }): Promise<ChainedRecord[]> {
    await this.warrant(agencyId, warrantId);
    return this.deps.repo.eventsOf(warrantId, options);
  }

  async recordings(agencyId: string, warrantId: string): Promise<Recording[]> {
    await this.warrant(agencyId, warrantId);
    return this.deps.repo.recordingsOfWarrant(warrantId);
  }

  async audio(agencyId: string, warrantId: string, recordingId: string): Promise<{ recording: Recording; wav: Buffer }> {
    await this.warrant(agencyId, warrantId);
    const recording = await this.deps.repo.getRecording(recordingId);
    if (!recording || recording.warrantId !== warrantId || recording.state !== 'stored' || !recording.objectKey || !recording.objectSha256 || !recording.sha256) {
      throw new RecordingNotFoundError(warrantId, recordingId);
    }
    return { recording, wav: await this.deps.vault.read(recording.objectKey, recording.objectSha256, recording.sha256) };
  }
}
