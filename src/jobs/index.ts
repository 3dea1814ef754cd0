export {
  createQueue,
  type Queue,
  type CreateQueueOptions,
  type JobHandler,
  type ReceivedJob,
  type RegisterOptions,
  type SendOptions,
  type ManyItem,
  type QueueLogger,
} from './queue.ts';
export { defineJobs, isValidJobName, type JobDefinition, type JobRegistry, type JobName, type JobInput, type JobData } from './registry.ts';
export { pgBossDbOver, pgBossDbInTransaction } from './pgboss.db.ts';
