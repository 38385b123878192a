import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { UserSchema } from '#shared/schemas/user.ts';
import { ConflictError } from '#functions/core/errors.ts';
import { getItem, queryAcross, revisions, send, type Item, type PageState, type Partition, type Table, type TxOp } from './table.ts';

export const UserRecordSchema = UserSchema.extend({
  /** Local sign-in only (scrypt); cloud users sign in with Cognito and have none. */
  passwordHash: z.string().optional(),
  /** When the user's sessions were last ended (signed out everywhere, or disabled): tokens issued before it are refused. Never shown. */
  tokensValidAfter: z.iso.datetime().optional(),
});
export type UserRecord = z.infer<typeof UserRecordSchema>;

/**
 * Users and their scopes, keyed by the identity's `sub` (local id or Cognito sub). Keys:
 * - PK `P#38#USER#<sub>`, SK `META` — the principal of a verified token;
 * - PK `P#38#USERNAME#<username>`, SK `META` — username uniqueness and sign-in lookup;
 * - GSI2 `P#38#USER` / `<username>` — the admin's user list.
 */
export function createUserRepository(table: Table) {
  const key = (id: string) => ({ PK: `${table.prefix}USER#${id}`, SK: 'META' });
  const usernameKey = (username: string) => ({ PK: `${table.prefix}USERNAME#${username}`, SK: 'META' });
  const listPartition: Partition = { index: 'GSI2', pk: `${table.prefix}USER` };
  const fromItem = (item: Item) => UserRecordSchema.parse(item);
  // The administrators' revision: every change that takes an administrator away moves it on, so two at once cannot both leave none.
  const adminSetKey = { PK: `${table.prefix}ADMINSET`, SK: 'META' };
  /**
   * Every user the list index holds that passes `filter`, then each read again consistently (the
   * index may lag a change just made). A province has a few hundred users: the list is read whole.
   */
  async function listedNow(filter?: Parameters<typeof queryAcross>[2]['filter']): Promise<UserRecord[]> {
    const listed: UserRecord[] = [];
    let start: PageState | undefined;
    do {
      const page = await queryAcross(table, [listPartition], { limit: 200, start, filter });
      listed.push(...page.items.map(fromItem));
      start = page.next;
    } while (start);
    const current = await Promise.all(listed.map((u) => getItem(table, key(u.id), true)));
    return current.flatMap((item) => (item ? [fromItem(item)] : []));
  }
  return {
    /** The revision of the set of administrators (0 before any change took one away). */
    async adminSetRevision(): Promise<number> {
      return revisions.read(table, adminSetKey);
    },
    /** Takes an administrator away, provided no other change did since `seen` was read (else RaceError: judge again). */
    adminSetOp(seen: number): TxOp {
      return revisions.nextOp(table, adminSetKey, 'adminset', seen);
    },
    /** The enabled administrators, read one by one consistently (the list index may lag a change just made). */
    async enabledAdmins(): Promise<UserRecord[]> {
      const listed = await listedNow({ FilterExpression: '#role = :admin', ExpressionAttributeNames: { '#role': 'role' }, ExpressionAttributeValues: { ':admin': 'admin' } });
      return listed.filter((u) => u.role === 'admin' && !u.disabled);
    },
    /** The users bound to a producer (cooperative accounts, enabled or disabled), read consistently. */
    async boundToProducer(producerId: string): Promise<UserRecord[]> {
      const listed = await listedNow({ FilterExpression: 'producerId = :p', ExpressionAttributeValues: { ':p': producerId } });
      return listed.filter((u) => u.producerId === producerId);
    },
    /**
     * How many users are bound to a producer: the count the producer keeps, read with it; or, on a
     * producer that keeps none yet (its users unchanged since before it was kept), the user list.
     */
    async boundCount(producer: { id: string; userCount?: number }): Promise<number> {
      return producer.userCount ?? (await this.boundToProducer(producer.id)).length;
    },
    async get(id: string, opts: { consistent?: boolean } = {}): Promise<UserRecord | undefined> {
      const item = await getItem(table, key(id), opts.consistent);
      return item ? fromItem(item) : undefined;
    },
    async getByUsername(username: string): Promise<UserRecord | undefined> {
      const ref = await getItem(table, usernameKey(username));
      return ref ? this.get(ref.userId as string) : undefined;
    },
    createOps(u: UserRecord): TxOp[] {
      return [
        {
          item: { Put: { TableName: table.name, Item: { ...usernameKey(u.username), type: 'username', userId: u.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
          onConditionFailed: () => new ConflictError('USERNAME_TAKEN', `The username ${u.username} is taken`),
        },
        { item: { Put: { TableName: table.name, Item: { ...key(u.id), type: 'user', GSI2PK: listPartition.pk, GSI2SK: u.username, ...u }, ConditionExpression: 'attribute_not_exists(PK)' } } },
      ];
    },
    /**
     * Sets the role, scope and `disabled` of `next` (one version on), provided the user is still
     * at the version the caller read; accounts stored before users had versions count as version
     * 1. Other attributes (the password hash, …) are left as they are. `endSessionsAt`: also refuse
     * every token issued before then (a disable), in the same write, so a change that is refused
     * ends no session either.
     */
    updateScopeOp(current: UserRecord, next: UserRecord, endSessionsAt?: string): TxOp {
      const set = ['#role = :role', 'disabled = :disabled', 'version = :next'];
      const remove: string[] = [];
      const values: Record<string, unknown> = { ':role': next.role, ':disabled': next.disabled, ':next': current.version + 1, ':v': current.version };
      if (endSessionsAt) (set.push('tokensValidAfter = :t'), (values[':t'] = endSessionsAt));
      if (next.communes) (set.push('communes = :communes'), (values[':communes'] = next.communes));
      else remove.push('communes');
      if (next.producerId) (set.push('producerId = :producerId'), (values[':producerId'] = next.producerId));
      else remove.push('producerId');
      return {
        item: {
          Update: {
            TableName: table.name,
            Key: key(current.id),
            UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ConditionExpression: current.version === 1 ? 'attribute_exists(PK) AND (version = :v OR attribute_not_exists(version))' : 'version = :v',
            ExpressionAttributeNames: { '#role': 'role' },
            ExpressionAttributeValues: values,
          },
        },
        onConditionFailed: () => new ConflictError('VERSION_CONFLICT', 'The user was changed at the same time; read it again'),
      };
    },
    setPasswordOp(id: string, passwordHash: string): TxOp {
      return { item: { Update: { TableName: table.name, Key: key(id), UpdateExpression: 'SET passwordHash = :h', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':h': passwordHash } } } };
    },
    /**
     * Ends the user's sessions: tokens issued before `validAfter` (ISO) are refused from then
     * on. The instant only moves forward (of two sign-outs racing, the later one stays); a user
     * that does not exist is left alone.
     */
    async endSessions(id: string, validAfter: string): Promise<void> {
      try {
        await send(() =>
          table.doc.send(
            new UpdateCommand({
              TableName: table.name,
              Key: key(id),
              UpdateExpression: 'SET tokensValidAfter = :t',
              ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(tokensValidAfter) OR tokensValidAfter < :t)',
              ExpressionAttributeValues: { ':t': validAfter },
            }),
          ),
        );
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    },
    async list(opts: { limit: number; start?: PageState }) {
      const page = await queryAcross(table, [listPartition], opts);
      return { items: page.items.map(fromItem), next: page.next };
    },
  };
}
export type UserRepository = ReturnType<typeof createUserRepository>;
