/** The problem documents (RFC 9457) the e2e tests expect, as the API answers them. */
export const PROBLEMS = 'https://assent.dev/problems/';

/** What a vote of a task's own requester answers (403): the requester never decides their own task. */
export const ownVoteRefused = (taskId: string, vote: 'approve' | 'reject') => ({
  type: `${PROBLEMS}forbidden`,
  title: 'Not allowed',
  status: 403,
  detail: `You asked for task ${taskId}; another approver must decide it.`,
  instance: `/v1/tasks/${taskId}/${vote}`,
});
