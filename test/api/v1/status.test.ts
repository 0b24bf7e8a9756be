import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, basic, makeApp, STORE_KINDS, type TestApp } from '../../support/app.js';

describe.each(STORE_KINDS)('status and authcheck (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind);
  });
  afterAll(() => t.close());

  it('answers nominal to anyone', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({ status: 'nominal', locale: 'en' });
  });

  it('authcheck proves credentials and refuses anonymous callers', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/api/v1/authcheck', headers: { authorization: basic(ALICE) } });
    expect(ok.json()).toEqual({ status: 'nominal', locale: 'en' });
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/authcheck' });
    expect(anon.statusCode).toBe(404);
    expect(anon.headers['x-ots-intended-status']).toBe('401');
    expect(anon.json()).toEqual({ message: 'Not authorized' });
  });
});
