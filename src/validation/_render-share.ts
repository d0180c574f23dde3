/**
 * One render per object per synth.
 *
 * The synth-time checks (`MeshValidation`) need every checked object as JSON, and cdk8s renders the same
 * objects again right after, to write them. The second render is skipped: the JSON the checks saw is handed
 * to cdk8s' output, once, in the same synchronous synth (this library's objects take it in their class's
 * `toJson`; other libraries' objects, such as cdk8s-plus workloads whose pod templates the checks read, are
 * lent a one-shot own `toJson` that removes itself). So the object
 * written is exactly the object validated, and a large app is rendered once, not twice.
 *
 * When a handed-over render is still correct: only while no user code can run between the checks and the
 * output. `MeshValidation` opens a round only for single-chart apps (cdk8s renders that chart right after
 * validating the app, in one call) whose other validations all pass (else cdk8s stops the synth before
 * the output), and closes it when every handed-over render has been taken, and on the next tick. Apps
 * with several charts render twice (a user could synthesize one chart, change an object of another, then
 * synthesize that one, all in one tick).
 *
 * Internal: not part of the public API.
 */
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

/** Marks the prototypes of L1 classes whose `toJson()` takes a handed-over render. */
const TAKES_RENDER = Symbol.for('cdk8s-istio.takes-render');

interface Round {
  /** Renders not yet taken by the output. */
  readonly pending: Map<ApiObject, _Render>;
  /** Objects of other libraries (cdk8s-plus, plain ApiObjects) lent a one-shot `toJson` for this round. */
  readonly lent: ApiObject[];
}

/** The open round per app (construct tree root). */
const ROUNDS = new WeakMap<IConstruct, Round>();

/** The JSON of one object, as `ApiObject.toJson()` renders it. @internal */
export type _Render = Record<string, unknown>;

type L1Class = new (scope: Construct, id: string, props: never) => ApiObject;
const RAW_SUBCLASSES = new WeakMap<L1Class, L1Class>();
const CONVERTING_SUBCLASSES = new WeakMap<L1Class, L1Class>();

/**
 * The subclass of a generated L1 class that takes a handed-over render in `toJson()`: same name, same
 * GVK, same output.
 *
 * @param cls the generated L1 class
 * @param raw render through `ApiObject.prototype.toJson` instead of the generated per-field converter
 *   (which drops JSON-patched fields and reads TypeScript field names); the spec must then already be
 *   Istio JSON
 * @internal
 */
export function _renderSharing<T extends L1Class>(cls: T, raw: boolean): T {
  const subclasses = raw ? RAW_SUBCLASSES : CONVERTING_SUBCLASSES;
  const cached = subclasses.get(cls);
  if (cached) return cached as T;
  const sub = raw
    ? class extends (cls as L1Class) {
      public toJson(): _Render {
        return _takeRender(this) ?? ApiObject.prototype.toJson.call(this);
      }
    }
    : class extends (cls as L1Class) {
      public toJson(): _Render {
        return _takeRender(this) ?? super.toJson();
      }
    };
  Object.defineProperty(sub.prototype, TAKES_RENDER, { value: true });
  // keep the generated class's name (e.g. `VirtualService`) for debugging and error messages
  Object.defineProperty(sub, 'name', { value: cls.name });
  subclasses.set(cls, sub);
  return sub as unknown as T;
}

/** Whether `obj` takes a handed-over render (it is one of this library's objects). @internal */
export function _takesRender(obj: ApiObject): boolean {
  return (obj as unknown as Record<symbol, unknown>)[TAKES_RENDER] === true;
}

/**
 * Opens a round for the app of `root`: `renders` are handed to the objects' next `toJson()`.
 * @internal
 */
export function _openRound(root: IConstruct, renders: Map<ApiObject, _Render>): void {
  const lent = [...renders.keys()].filter((obj) => !_takesRender(obj));
  ROUNDS.set(root, { pending: renders, lent });
  for (const obj of lent) lendRender(obj);
}

/**
 * Gives an object of another library (a cdk8s-plus Deployment's resource, a plain ApiObject) a one-shot
 * own `toJson` that returns the handed-over render and then removes itself, so its class's `toJson` serves
 * every later call.
 */
function lendRender(obj: ApiObject): void {
  Object.defineProperty(obj, 'toJson', {
    configurable: true,
    writable: true,
    value: function lentToJson(this: ApiObject): _Render {
      Reflect.deleteProperty(this, 'toJson');
      return _takeRender(this) ?? this.toJson();
    },
  });
}

/** Closes the round of the app of `root` (leftover renders are dropped). @internal */
export function _closeRound(root: IConstruct): void {
  for (const obj of ROUNDS.get(root)?.lent ?? []) {
    if (Object.prototype.hasOwnProperty.call(obj, 'toJson')) Reflect.deleteProperty(obj, 'toJson');
  }
  ROUNDS.delete(root);
}

/**
 * Whether the app of `root` has an open round with renders not yet taken.
 * @internal
 */
export function _roundPending(root: IConstruct): boolean {
  return (ROUNDS.get(root)?.pending.size ?? 0) > 0;
}

/** The handed-over render of `obj`, once; undefined when there is none. */
function _takeRender(obj: ApiObject): _Render | undefined {
  const root = obj.node.root;
  const round = ROUNDS.get(root);
  if (!round) return undefined;
  const doc = round.pending.get(obj);
  if (doc === undefined) return undefined;
  round.pending.delete(obj);
  if (round.pending.size === 0) ROUNDS.delete(root);
  return doc;
}
