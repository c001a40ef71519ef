import { mockErrorHandler } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { findDuplicateKey, jsonBody } from './jsonBody';

describe('findDuplicateKey', () => {
  it('finds a key given twice in one object, wherever the object is', () => {
    expect(findDuplicateKey('{"a":1,"b":2,"a":3}')).toEqual({
      path: [],
      key: 'a',
    });
    expect(
      findDuplicateKey(
        '{"image":{"repository":"r","tag":"1","tag":"latest"},"x":1}',
      ),
    ).toEqual({ path: ['image'], key: 'tag' });
    expect(
      findDuplicateKey(
        '{"env":[{"name":"A","value":"1"},{"name":"B","value":"2","name":"C"}]}',
      ),
    ).toEqual({ path: ['env', 1], key: 'name' });
    // Keys compare after unescaping, as JSON.parse sees them.
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')).toEqual({
      path: [],
      key: 'a',
    });
    expect(findDuplicateKey('{"__proto__":1,"__proto__":2}')).toEqual({
      path: [],
      key: '__proto__',
    });
  });

  it('accepts the same key in different objects, and keys as values', () => {
    expect(
      findDuplicateKey(
        '{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}],"d":"a","e":["a","a"],"f":{"g":"g"}}',
      ),
    ).toBeUndefined();
    expect(findDuplicateKey('[]')).toBeUndefined();
    expect(findDuplicateKey('{}')).toBeUndefined();
  });

  it('takes linear time and no recursion, however deep the text nests', () => {
    const depth = 100_000;
    const deep = `${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`;
    expect(findDuplicateKey(deep)).toBeUndefined();
    const wide = `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`)
      .concat('"k19999":0')
      .join(',')}}`;
    const started = Date.now();
    expect(findDuplicateKey(wide)).toEqual({ path: [], key: 'k19999' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('jsonBody', () => {
  function app() {
    const body = jsonBody({ limit: '256kb' });
    const received: unknown[] = [];
    const server = express()
      .use(body.parse)
      .use(body.refuseDuplicates)
      .post('/', (req, res) => {
        received.push(req.body);
        res.json({ ok: true });
      })
      .use(mockErrorHandler());
    return { server, received };
  }

  it('refuses a body with a key given twice with 400 naming the key, before any route reads it', async () => {
    const { server, received } = app();
    const res = await request(server)
      .post('/')
      .set('content-type', 'application/json')
      .send(
        '{"application":"component:default/payments-api","image":{"repository":"ghcr.io/acme/payments-api","tag":"1.0.0","tag":"latest"}}',
      );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'parameter-invalid',
      errors: [
        {
          field: 'image.tag',
          message:
            'duplicate key tag: a JSON object takes each key once; remove the other',
        },
      ],
    });
    // Nothing of the body is echoed beyond the key.
    expect(res.text).not.toContain('latest');
    expect(received).toEqual([]);
  });

  it('passes a body without duplicates, and leaves malformed JSON to the parser', async () => {
    const { server, received } = app();
    const ok = await request(server)
      .post('/')
      .send({ a: { x: 1 }, b: [1] });
    expect(ok.status).toBe(200);
    expect(received).toEqual([{ a: { x: 1 }, b: [1] }]);
    const broken = await request(server)
      .post('/')
      .set('content-type', 'application/json')
      .send('{"a":1,"a":');
    expect(broken.status).toBe(400);
    expect(received).toHaveLength(1);
  });
});
