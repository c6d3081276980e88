/** The role policy itself (the e2e test checks that the handlers enforce whatever the matrix says). */
import { describe, expect, it } from 'vitest';
import { mayCall, ROLE_MATRIX } from '../../schemas/roles.ts';

describe('the role matrix', () => {
  it('editors draft but never approve, publish or withdraw; reviewers never draft', () => {
    expect(mayCall('POST /v1/admin/notices', ['editor'])).toBe(true);
    for (const a of ['approve', 'reject', 'publish', 'withdraw'])
      expect(mayCall(`POST /v1/admin/notices/{id}/${a}`, ['editor'])).toBe(false);
    expect(mayCall('POST /v1/admin/notices/{id}/approve', ['reviewer'])).toBe(true);
    expect(mayCall('POST /v1/admin/notices', ['reviewer'])).toBe(false);
    expect(mayCall('PATCH /v1/admin/notices/{id}', ['reviewer'])).toBe(false);
  });

  it('operators run pushes and support but do not touch notices; admin may call everything', () => {
    expect(mayCall('POST /v1/admin/pushes/restriction', ['operator'])).toBe(true);
    expect(mayCall('GET /v1/admin/subscribers/{channel}/{id}', ['operator'])).toBe(true);
    expect(mayCall('POST /v1/admin/notices/{id}/publish', ['operator'])).toBe(false);
    expect(mayCall('GET /v1/admin/audit', ['editor', 'reviewer'])).toBe(false);
    for (const key of Object.keys(ROLE_MATRIX)) expect(mayCall(key, ['admin'])).toBe(true);
  });

  it('denies routes it does not list, and callers without roles', () => {
    expect(mayCall('DELETE /v1/admin/audit', ['operator'])).toBe(false);
    expect(mayCall('GET /v1/admin/pushes', [])).toBe(false);
  });
});
