// mq completion bash|zsh: prints a shell completion script generated from the command tree.
import { Argument, Command } from 'commander';
import { bashCompletion, zshCompletion } from '../src/cli/completion.js';
import type { Context } from './context.js';

export default function completion(ctx: Context): Command {
  return new Command('completion')
    .description('Print a shell completion script for bash or zsh')
    .addArgument(new Argument('<shell>', 'shell to complete in').choices(['bash', 'zsh']))
    .addHelpText('after', `
Examples:
  source <(mq completion bash)             in ~/.bashrc
  source <(mq completion zsh)              in ~/.zshrc`)
    .action(async function (this: Command, shell: 'bash' | 'zsh') {
      let root: Command = this;
      while (root.parent) root = root.parent;
      await ctx.out.write(shell === 'bash' ? bashCompletion(root) : zshCompletion(root));
    });
}
