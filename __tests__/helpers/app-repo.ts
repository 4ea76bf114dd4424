import { spawnSync } from 'child_process';
import { AppCopy, CommandResult } from '../../devkit/app-copy';
import { runCheck } from '../../tools/check';

/** A throwaway git repository holding a copy of the app, one commit per step. */
export class AppRepo extends AppCopy {
  constructor() {
    super();
    this.git('init', '-q', '-b', 'main');
    this.write('.git/info/exclude', 'node_modules\ncdktf.out\n');
    this.commit('base');
  }

  git(...args: string[]): string {
    // No automatic maintenance: a throwaway repository never needs it, and git ran it after most commits.
    const run = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.test', '-c', 'maintenance.auto=false', '-c', 'gc.auto=0', ...args], { cwd: this.dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  }

  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  /** `npm run check -- <args>` on the copy, in this process (its synths run in processes of their own). */
  async check(...args: string[]): Promise<CommandResult> {
    let stdout = '';
    let stderr = '';
    // The CRD schemas vendored in the copy: nothing beside the repository.
    const status = await runCheck(args, { projectDir: this.dir, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { status, stdout, stderr };
  }
}
