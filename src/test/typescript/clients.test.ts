// The TypeScript client generated from the contract (typescript-fetch, in ./generated), over the
// Unix socket through undici's Agent. Run by dev.udsgate.clients.TypeScriptClientTest, which
// starts the server and passes its socket in UDSGATE_SOCKET.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, fetch } from 'undici';
import {
  Configuration,
  ConnectionsApi,
  EventFromJSON,
  EventsApi,
  FetchAPI,
  GatewayApi,
  ResponseError,
  SocketApi,
  SystemApi,
} from './generated';

const socketPath = process.env.UDSGATE_SOCKET;
if (!socketPath) {
  throw new Error('UDSGATE_SOCKET must name the socket of a running udsgate');
}

// The README's "Connect from your language" shows these two statements.
const agent = new Agent({ connect: { socketPath } });
const config = new Configuration({
  basePath: 'http://localhost',
  fetchApi: ((url: string, init: object) => fetch(url, { ...init, dispatcher: agent })) as unknown as FetchAPI,
});

after(() => agent.close());

async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (e) {
    if (e instanceof ResponseError) {
      return e.response.status;
    }
    throw e;
  }
}

test('ping, version, socket and connections answer as the contract says', async () => {
  const system = new SystemApi(config);
  assert.equal(await system.ping(), 'OK');
  assert.equal((await system.getVersion()).apiVersion, '1.0');

  assert.equal((await new SocketApi(config).getSocket()).path, socketPath);

  const connections = new ConnectionsApi(config);
  const self = await connections.getOwnConnection();
  assert.equal(self.peer?.pid, process.pid);
  const open = await connections.listConnections();
  assert.ok(open.some((c) => c.id === self.id), `connection ${self.id} is among the open ones`);
});

test('a route is created, read and removed with its ETag, and a stale ETag changes nothing', async () => {
  const gateway = new GatewayApi(config);
  const upstreams = ['unix:/run/billing.sock', 'http://127.0.0.1:8081'];

  const created = await gateway.putRoute({ name: 'billing', routeInput: { host: 'billing', upstreams } });
  assert.deepEqual(created.upstreams, upstreams);

  const read = await gateway.getRouteRaw({ name: 'billing' });
  const etag = read.raw.headers.get('etag');
  assert.equal(etag, created.etag);

  const updated = await gateway.putRoute({
    name: 'billing',
    ifMatch: etag!,
    routeInput: { host: 'billing', pathPrefix: '/invoices', upstreams },
  });
  assert.notEqual(updated.etag, etag);
  assert.equal(await status(gateway.deleteRoute({ name: 'billing', ifMatch: etag! })), 412);
  assert.equal((await gateway.getRoute({ name: 'billing' })).pathPrefix, '/invoices');

  await gateway.deleteRoute({ name: 'billing', ifMatch: updated.etag });
  assert.equal(await status(gateway.getRoute({ name: 'billing' })), 404);
});

test('the event stream is read line by line from the generated raw call', async () => {
  // streamEvents() reads the whole body, so it returns only when the stream ends; streamEventsRaw()
  // returns as soon as the headers are in, and its body is read here as it comes.
  const stream = await new EventsApi(config).streamEventsRaw({ type: ['route.added'] });
  assert.match(stream.raw.headers.get('content-type') ?? '', /^application\/x-ndjson/);

  await new GatewayApi(config).putRoute({
    name: 'docs',
    routeInput: { pathPrefix: '/docs', upstreams: ['http://127.0.0.1:8082'] },
  });

  const reader = stream.raw.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let line: string | undefined;
  while (line === undefined) {
    const { value, done } = await reader.read();
    assert.ok(!done, 'the stream ended before an event came');
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    line = lines.find((l) => l.trim() !== ''); // blank lines are heartbeats
  }
  await reader.cancel();

  const event = EventFromJSON(JSON.parse(line));
  assert.equal(event.type, 'route.added');
  assert.equal(event.data['route'], 'docs');
});

test('a bounded replay is read whole by the generated method', async () => {
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const body = await new EventsApi(config).streamEvents({ since: '0', until, type: ['listener.listening'] });
  const events = (await body.text())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => EventFromJSON(JSON.parse(l)));
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'listener.listening');
  assert.equal(events[0].listener, 'main');
});
