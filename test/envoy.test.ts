import { _envoyHeaderValueProblem } from '../src/_envoy';

// Istio 1.30's own examples (ValidateHTTPHeaderValue) and its unit-test cases (header_value_validator_test.go)
describe('Envoy header values as Istio validates them', () => {
  test.each([
    ['foo'], ['%HOSTNAME%'], ['100%%'], ['prefix %HOSTNAME% suffix'], [''], ['%REQ(x-foo)%'], ['%UPSTREAM_METADATA(["a", "b"])%'],
    ['%START_TIME(%s)%'], ['%%%HOSTNAME%%%'], ['tab\tis fine'],
  ])('accepts %j', (value) => {
    expect(_envoyHeaderValueProblem(value)).toBeUndefined();
  });

  test.each([
    ['abc%123', 'a "%" starts a variable that is never closed (a literal percent is written "%%")'],
    ['%START_TIME%%', 'an un-escaped "%" ends it'],
    ['100%', 'an un-escaped "%" ends it'],
    ['%UPSTREAM_METADATA(["a" x])%', 'a variable\'s argument list expects ",", "]" or a space'],
    ['%UPSTREAM_METADATA([x])%', 'a variable\'s argument list expects \'"\''],
    ['%UPSTREAM_METADATA(["a"] x)%', 'a variable expects ")" after its arguments'],
    ['%REQ(x) x%', 'a variable expects "%" after its arguments'],
    ['%REQ(\\', 'a "%" starts a variable that is never closed (a literal percent is written "%%")'],
    ['%REQ("a\\', 'a backslash is not terminated'],
    ['a\nb', 'it contains control characters (CR, LF, NUL, ...)'],
  ])('refuses %j', (value, problem) => {
    expect(_envoyHeaderValueProblem(value)).toEqual(problem);
  });
});
