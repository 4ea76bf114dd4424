import { Aspects, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { TerraformLiteralEscaping } from '../constructs/terraform-literals';

/**
 * Every stack of this project: a TerraformStack whose literal text reaches Terraform escaped for
 * its template syntax (constructs/terraform-literals.ts), whichever construct wrote it.
 */
export class ProjectStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    Aspects.of(this).add(new TerraformLiteralEscaping());
  }
}
