/** Inputs of the Netlify `BranchDomain` provider. */
export interface BranchDomainInputs {
  siteId: string;
  /** `branch_deploy_custom_domain`: branch `b` is served on `<b>.<parent>`. */
  parent: string;
}
