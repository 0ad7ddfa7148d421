import { describe, expect, it } from 'vitest';
import { routeTarget } from '../../../../extension/src/http/target.js';

describe('routeTarget', () => {
  it.each([
    ['/ping', 'ping'],
    ['/ping/', 'ping'],
    ['///ping///', 'ping'],
    ['/pi%6eg', 'ping'],
    ['/ping#fragment', 'ping'],
    ['http://localhost/ping', 'ping'],
    ['https://example.com:9/ping', 'ping'],
    ['//systemsmanager//parameters/get', 'parameter'],
    ['/systemsmanager/parameters/%67et', 'parameter'],
    ['/secretsmanager/get/', 'secret'],
    ['/Ping', 'none'],
    ['/ping/x', 'none'],
    ['/./ping', 'none'],
    ['/ping%2F', 'none'],
    ['/systemsmanager%2Fparameters%2Fget', 'none'],
    ['/pin%25g', 'none'],
    ['/ping%00', 'none'],
    ['*', 'none'],
    ['http://localhost', 'none'],
    ['/%ZZ', 'invalid-path'],
    ['/ping%', 'invalid-path'],
    ['/%E0%A4%A', 'invalid-path'],
  ])('routes %s to %s', (target, route) => {
    expect(routeTarget(target).route).toBe(route);
  });

  it('leaves the query string raw, slashes and escapes included', () => {
    expect(routeTarget('//secretsmanager//get?secretId=a//b%2F&x').search).toBe('secretId=a//b%2F&x');
    expect(routeTarget('/ping').search).toBe('');
  });
});
