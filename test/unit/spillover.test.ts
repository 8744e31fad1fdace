import { describe, expect, it } from 'vitest';
import { spilledOver, utilizationOf } from '../../src/router/deliver';

describe('spilledOver', () => {
  it.each([
    [{ 'x-ms-spillover-from-gpt-4o-ptu': 'true' }, true],
    [{ 'x-ms-spillover-from': 'gpt-4o-ptu' }, true],
    [{ 'x-ms-is-spilled-over': 'True' }, true],
    [{ 'x-ms-is-spilled-over': 'false' }, false],
    [{ 'x-ms-region': 'East US' }, false],
  ])('reads %j as spilled: %s', (headers, expected) => {
    expect(spilledOver(headers)).toBe(expected);
  });
});

describe('utilizationOf', () => {
  it.each([
    ['87%', 87],
    ['87', 87],
    ['0.5', 50],
    ['n/a', undefined],
  ])('reads azure-openai-deployment-utilization %s as %s percent', (raw, expected) => {
    expect(utilizationOf({ 'azure-openai-deployment-utilization': raw })).toBe(expected);
  });
});
