import { describe, expect, it } from 'vitest';
import { csvForm, errorOf, MAX_UPLOAD, req, service, SETTINGS, useApiDashboard } from './api-rig.js';

useApiDashboard();

describe('upload', () => {
  it('previews a good CSV without creating anything', async () => {
    const before = await service.store.ids();
    const res = await req('/api/campaigns?preview=1', 'operator', {
      method: 'POST',
      body: csvForm('number\n4930141\n4930142\n4930142\n', { settings: SETTINGS }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ preview: true, rows: 3, accepted: 2, duplicates: 1, rejected: 0, errors: [] });
    expect(await service.store.ids()).toEqual(before);
  });

  it('creates a campaign from a multipart upload, named after the file by default', async () => {
    const res = await req('/api/campaigns', 'operator', {
      method: 'POST',
      body: csvForm('number\n4930151\n4930152\n', { settings: SETTINGS }, 'spring list.csv'),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; accepted: number };
    expect(body.accepted).toBe(2);
    const meta = await service.get(body.id);
    expect(meta.name).toBe('spring list');
    expect((await service.status(body.id)).counters.total).toBe(2);
    await service.cancel(body.id);
  });

  it('takes a text/csv body with the options in the query', async () => {
    const options = encodeURIComponent(JSON.stringify({ name: 'raw body', settings: SETTINGS }));
    const res = await req(`/api/campaigns?options=${options}`, 'operator', {
      method: 'POST',
      body: 'number\n4930161\n',
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await service.get(id)).name).toBe('raw body');
    await service.cancel(id);
  });

  it('rejects a CSV with bad rows, listing their line numbers, and creates nothing', async () => {
    const before = await service.store.ids();
    const csv = 'number,name\n4930171,ok\n,empty\n4930173,ok\nabc,letters\n';
    const preview = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: csvForm(csv, { settings: SETTINGS }) });
    const p = (await preview.json()) as { rejected: number; errors: Array<{ line: number; reason: string }> };
    expect(p.rejected).toBe(2);
    expect(p.errors.map((e) => e.line)).toEqual([3, 5]);

    const res = await req('/api/campaigns', 'operator', { method: 'POST', body: csvForm(csv, { settings: SETTINGS }) });
    expect(res.status).toBe(422);
    const err = await errorOf(res);
    expect(err.code).toBe('ROWS_REJECTED');
    expect((err.errors as Array<{ line: number }>).map((e) => e.line)).toEqual([3, 5]);
    expect(await service.store.ids()).toEqual(before);
  });

  it('takes only the good rows when asked to', async () => {
    const res = await req('/api/campaigns', 'operator', {
      method: 'POST',
      body: csvForm('number\n4930181\nnope\n', { settings: SETTINGS, skipInvalid: true }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; accepted: number; rejected: number; errors: Array<{ line: number }> };
    expect(body).toMatchObject({ accepted: 1, rejected: 1, errors: [expect.objectContaining({ line: 3 })] });
    await service.cancel(body.id);
  });

  it('refuses a file with more channel-variable columns than settings.maxChannelVars, naming how to raise it', async () => {
    const names = Array.from({ length: 3 }, (_, i) => `v${i + 1}`).join(',');
    const csv = `number,${names}\n4930191,${names}\n`;
    const res = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: csvForm(csv, { settings: { ...SETTINGS, maxChannelVars: 2 } }) });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err).toMatchObject({ code: 'BAD_CSV', line: 1 });
    expect(err.message).toMatch(/^line 1: 3 columns would become channel variables, more than the limit of 2 .*maxChannelVars setting of an upload/);
    const raised = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: csvForm(csv, { settings: { ...SETTINGS, maxChannelVars: 3 } }) });
    expect(await raised.json()).toMatchObject({ accepted: 1, rejected: 0 });
  });

  it('answers bad options JSON with 400 naming the problem', async () => {
    const res = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: csvForm('number\n4930191\n', '{"settings": {"endpoint": ') });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe('BAD_JSON');
    expect(err.message).toMatch(/^options: not valid JSON/);

    const query = await req('/api/campaigns?options=%7Bnope', 'operator', { method: 'POST', body: 'number\n1234\n', headers: { 'Content-Type': 'text/csv' } });
    expect(query.status).toBe(400);
    expect((await errorOf(query)).code).toBe('BAD_JSON');
  });

  it('creates a campaign with AMD as the form sends it (tunables, voicemail drop), and refuses bad AMD options', async () => {
    const amd = { notSureAs: 'human', onMachine: 'vm-drop,s,1', greeting: 2500, maximumNumberOfWords: 4 };
    const res = await req('/api/campaigns', 'operator', { method: 'POST', body: csvForm('number\n4930171\n', { settings: { ...SETTINGS, amd } }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await service.get(id)).settings.amd).toMatchObject({
      onMachine: { action: 'continue', context: 'vm-drop', extension: 's', priority: 1 },
      tunables: { greeting: 2500, maximumNumberOfWords: 4, initialSilence: 3000 },
    });
    await service.cancel(id);
    const bad = await req('/api/campaigns?preview=1', 'operator', {
      method: 'POST',
      body: csvForm('number\n4930172\n', { settings: { ...SETTINGS, amd: { greeting: -5, onMachine: 'nowhere' } } }),
    });
    expect(bad.status).toBe(400);
    const err = await errorOf(bad);
    expect(err.message).toMatch(/amd: .*greeting: must be a whole number/);
    expect(err.message).toMatch(/onMachine: "nowhere"/);
  });

  it('answers bad settings with 400 naming the field', async () => {
    const res = await req('/api/campaigns?preview=1', 'operator', {
      method: 'POST',
      body: csvForm('number\n4930191\n', { settings: { endpoint: 'nonsense', cps: -1 } }),
    });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe('BAD_ARGUMENT');
    expect(err.message).toMatch(/endpoint: must look like TECH\/resource/);
    expect(err.message).toMatch(/cps: must be/);
    const missing = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: csvForm('number\n4930191\n', { name: 'x', colour: 'red' }) });
    const both = (await errorOf(missing)).message;
    expect(both).toMatch(/options\.colour: unknown/);
    expect(both).toMatch(/options\.settings: required/);
  });

  it('refuses an upload over maxUploadBytes with 413 and creates nothing', async () => {
    const before = await service.store.ids();
    const big = `number\n${Array.from({ length: 1200 }, (_, i) => String(4930200000 + i)).join('\n')}\n`;
    expect(big.length).toBeGreaterThan(MAX_UPLOAD);
    const res = await req('/api/campaigns', 'operator', { method: 'POST', body: csvForm(big, { settings: SETTINGS }) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('PAYLOAD_TOO_LARGE');
    const raw = await req(`/api/campaigns?options=${encodeURIComponent(JSON.stringify({ settings: SETTINGS }))}`, 'operator', {
      method: 'POST',
      body: big,
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(raw.status).toBe(413);
    await raw.body?.cancel();
    expect(await service.store.ids()).toEqual(before);
  });

  it('checks what was uploaded: content type, a file at all, the bytes themselves', async () => {
    const png = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: 'x', headers: { 'Content-Type': 'image/png' } });
    expect(png.status).toBe(415);
    await png.body?.cancel();

    const noFile = new FormData();
    noFile.append('options', JSON.stringify({ settings: SETTINGS }));
    const none = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: noFile });
    expect(none.status).toBe(400);
    expect((await errorOf(none)).message).toMatch(/no file/);

    const xlsx = new FormData();
    xlsx.append('options', JSON.stringify({ settings: SETTINGS }));
    xlsx.append('file', new Blob([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 1, 2, 3])], { type: 'application/octet-stream' }), 'numbers.xlsx');
    const zip = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: xlsx });
    expect(zip.status).toBe(400);
    const err = await errorOf(zip);
    expect(err.code).toBe('BAD_CSV');
    expect(err.message).toMatch(/ZIP|xlsx/i);

    const empty = await req('/api/campaigns?preview=1', 'operator', { method: 'POST', body: csvForm('', { settings: SETTINGS }) });
    expect(empty.status).toBe(400);
    expect((await errorOf(empty)).code).toBe('BAD_CSV');
  });
});
