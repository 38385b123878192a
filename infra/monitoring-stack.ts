import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { COVERAGE_DIFFERENCES_METRIC } from '#functions/jobs/scheduled-jobs.ts';
import { tableDesign } from '#functions/repositories/table-design.ts';
import type { EnvName } from '#infra/environment.ts';
import type { ProjectFunction } from '#infra/project-function.ts';

/** Share of API requests answered 5xx, in percent over five minutes, above which the alarm fires. */
export const API_5XX_PERCENT = 5;

export interface MonitoringStackProps extends StackProps {
  readonly envName: EnvName;
  readonly httpApi: IHttpApi;
  /** Every function, by a short name used in alarm names. */
  readonly functions: Record<string, ProjectFunction>;
  readonly table: ITableV2;
  /** Where the reconciliation publishes its differences (namespace, dimension Province). */
  readonly reconciliation: { readonly namespace: string; readonly provinceCode: string };
  /** Who gets the alarms by email (`-c alarmEmail=ops@example.vn`); confirm the subscription from the mail. */
  readonly alarmEmail?: string;
}

/**
 * Alarms and where they go: an SNS topic (encrypted with a customer managed key that
 * CloudWatch may use, TLS only), optionally mailed to `alarmEmail`. Alarms: the API's 5xx
 * rate; errors and throttles of every function; messages in any dead-letter queue; DynamoDB
 * read and write throttling (table and indexes); coverage counters that differ from the
 * nightly recount.
 */
export class MonitoringStack extends Stack {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const isProd = props.envName === 'prod';

    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the OCOP onboard alarm topic; CloudWatch may use it to publish',
      enableKeyRotation: true,
      removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', { displayName: `OCOP onboard ${props.envName} alarms`, masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (alarmId: string, description: string, metric: IMetric, opts: { threshold?: number; periods?: number; datapoints?: number; missing?: TreatMissingData } = {}) => {
      const created = new Alarm(this, alarmId, {
        alarmName: `${this.stackName}-${alarmId}`,
        alarmDescription: description,
        metric,
        threshold: opts.threshold ?? 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: opts.periods ?? 1,
        datapointsToAlarm: opts.datapoints,
        treatMissingData: opts.missing ?? TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    const fiveMinutes = Duration.minutes(5);
    alarm(
      'Api5xxRate',
      `More than ${API_5XX_PERCENT}% of API requests answered 5xx in two of three five-minute periods`,
      new MathExpression({
        label: 'API 5xx %',
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { errors: props.httpApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }), requests: props.httpApi.metricCount({ period: fiveMinutes, statistic: 'Sum' }) },
        period: fiveMinutes,
      }),
      { threshold: API_5XX_PERCENT, periods: 3, datapoints: 2 },
    );

    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, `The ${name} function failed (an unhandled error or a timeout)`, fn.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }));
      alarm(`${name}Throttles`, `Lambda throttled the ${name} function (account or reserved concurrency reached)`, fn.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }));
      if (fn.deadLetterQueue) {
        alarm(
          `${name}DeadLetters`,
          `Events for the ${name} function failed every retry and wait in its dead-letter queue`,
          fn.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
        );
      }
    }

    const throttles = (metricName: 'ReadThrottleEvents' | 'WriteThrottleEvents') => {
      const metric = (indexName?: string) =>
        new Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: { TableName: props.table.tableName, ...(indexName ? { GlobalSecondaryIndexName: indexName } : {}) },
          period: fiveMinutes,
          statistic: 'Sum',
        });
      const usingMetrics: Record<string, IMetric> = { table: metric() };
      tableDesign.globalIndexes.forEach((index, i) => (usingMetrics[`gsi${i + 1}`] = metric(index.indexName)));
      // CloudWatch publishes a throttle metric only when throttling happens, and a sum with a
      // missing term is missing: each term is filled with 0, or the alarm could fire only when
      // the table and every index throttle in the same period.
      return new MathExpression({ label: `${metricName} (table and indexes)`, expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '), usingMetrics, period: fiveMinutes });
    };
    alarm('TableReadThrottles', 'DynamoDB throttled reads of the table or an index (on-demand limits or a hot partition)', throttles('ReadThrottleEvents'));
    alarm('TableWriteThrottles', 'DynamoDB throttled writes to the table or an index (on-demand limits or a hot partition)', throttles('WriteThrottleEvents'));

    alarm(
      'CoverageDifferences',
      'The nightly reconciliation found coverage counters that differ from a recount of the records',
      new Metric({
        namespace: props.reconciliation.namespace,
        metricName: COVERAGE_DIFFERENCES_METRIC,
        dimensionsMap: { Province: props.reconciliation.provinceCode },
        period: Duration.days(1),
        statistic: 'Maximum',
      }),
    );

    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topicArn });
  }
}
