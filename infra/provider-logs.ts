import { CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Gives the functions of aws-cdk-lib's own custom-resource providers (e.g. the S3
 * auto-delete handler of dev buckets, a raw `AWS::Lambda::Function` resource that no props
 * reach) a log group with retention, instead of the `/aws/lambda/…` group Lambda would create
 * on first use and keep forever. Call once the stack's constructs exist.
 */
export function giveProviderFunctionsLogGroups(stack: Stack, removalPolicy: RemovalPolicy): LogGroup[] {
  const providers = stack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::Function' && !(c instanceof CfnFunction));
  return providers.map((handler) => {
    const logGroup = new LogGroup(handler.node.scope!, 'LogGroup', { retention: RetentionDays.ONE_MONTH, removalPolicy });
    handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName, LogFormat: 'JSON' });
    return logGroup;
  });
}
