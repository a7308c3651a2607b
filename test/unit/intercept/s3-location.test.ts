import { createHash } from 'node:crypto';
import { type DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { S3Location, type S3Sender } from '../../../app/intercept/s3-location';

// An S3 bucket in memory that speaks the SDK's commands, checking the SHA-256 a PUT carries as S3 does.
class FakeS3 implements S3Sender {
  readonly objects = new Map<string, Buffer>();
  readonly commands: string[] = [];

  send(command: PutObjectCommand | GetObjectCommand | DeleteObjectCommand): Promise<unknown> {
    const input = command.input as { Bucket: string; Key: string; Body?: Buffer; ChecksumSHA256?: string };
    const id = `${input.Bucket}/${input.Key}`;
    this.commands.push(`${command.constructor.name} ${id}`);
    if (command instanceof PutObjectCommand) {
      const body = input.Body as Buffer;
      if (input.ChecksumSHA256 !== createHash('sha256').update(body).digest('base64')) return Promise.reject(new Error('BadDigest'));
      this.objects.set(id, Buffer.from(body));
      return Promise.resolve({});
    }
    if (command instanceof GetObjectCommand) {
      const body = this.objects.get(id);
      if (!body) return Promise.reject(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
      return Promise.resolve({ Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(body)) } });
    }
    this.objects.delete(id);
    return Promise.resolve({});
  }
}

describe('S3 evidence location', function () {
  it('given an object put, then it is read back under the prefix, and is gone once deleted', async function () {
    const s3 = new FakeS3();
    const location = new S3Location(s3, { bucket: 'evidence-a', prefix: 'li/' });
    await location.put('warrants/w/r.enc', Buffer.from('sealed'));
    expect([...s3.objects.keys()]).to.deep.equal(['evidence-a/li/warrants/w/r.enc']);
    expect((await location.get('warrants/w/r.enc'))?.toString()).to.equal('sealed');
    await location.delete('warrants/w/r.enc');
    expect(await location.get('warrants/w/r.enc')).to.equal(undefined);
    expect(location.name).to.equal('s3:evidence-a/li/');
  });

  it('given an error other than a missing key, then it is raised', async function () {
    const location = new S3Location({ send: () => Promise.reject(Object.assign(new Error('AccessDenied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })) }, { bucket: 'b' });
    try {
      await location.get('k');
      expect.fail('should throw');
    } catch (error) {
      expect(String(error)).to.match(/AccessDenied/);
    }
  });
});
