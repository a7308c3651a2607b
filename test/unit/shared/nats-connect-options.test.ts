import { expect } from 'chai';
import { natsConnectOptions } from '../../../app/shared/infra/nats';

describe('NATS_URL credentials', function () {
  it('given a URL without credentials, then the servers pass through and no user is set', function () {
    expect(natsConnectOptions('nats://127.0.0.1:4222')).to.deep.equal({ servers: ['nats://127.0.0.1:4222'] });
  });

  it('given user:password in the URLs of a cluster, then they become the user and pass options and leave every server URL', function () {
    expect(natsConnectOptions('nats://calling:s3cret@10.0.0.1:4222,nats://calling:s3cret@10.0.0.2:4222')).to.deep.equal({
      servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'],
      user: 'calling',
      pass: 's3cret',
    });
  });

  it('given a percent-encoded password, then it is decoded', function () {
    expect(natsConnectOptions('nats://calling:a%40b%3Ac@host:4222')).to.include({ user: 'calling', pass: 'a@b:c' });
  });
});
