import type * as pulumi from "@pulumi/pulumi";

/**
 * Adjusts one child resource's args and options just before a component creates it, so users
 * can change what a component makes without forking it. Return nothing to keep the (mutated)
 * values, or return replacements.
 *
 * @example
 * new WebService("api", args, { transform: { service: (a) => ({ args: { ...a, plan: "pro" } }) } })
 */
export type ResourceTransform<Args> = (
  args: Args,
  opts: pulumi.CustomResourceOptions,
) => void | { args?: Args; opts?: pulumi.CustomResourceOptions };

/** Applies an optional transform and returns the args and options to create the child with. */
export function applyTransform<Args>(
  transform: ResourceTransform<Args> | undefined,
  args: Args,
  opts: pulumi.CustomResourceOptions,
): [Args, pulumi.CustomResourceOptions] {
  const result = transform?.(args, opts);
  return [result?.args ?? args, result?.opts ?? opts];
}
