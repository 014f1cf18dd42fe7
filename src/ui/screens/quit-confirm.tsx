/** `q` asks once: the state is kept, and this is the command that resumes; the footer under it gives the keys. */
import { Box, Text } from 'ink';
import { useTheme } from '../theme.js';
import { useCommands } from '../context.js';
import { useRunStore } from '../store.js';
import { commandLines, fit, line, seg } from '../text.js';
import { Lines } from '../components/lines.js';

export function QuitConfirm({ width }: { width: number }) {
  const theme = useTheme();
  const { resume } = useCommands();
  // attach: leaving stops nothing — the runner goes on; the command is the one that attaches again
  const attached = useRunStore((s) => s.attached === true);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" {...theme.seg.warn}>
        {fit(attached ? 'Leave? The runner goes on without you; nothing is lost.' : 'Quit now? The incident state is kept in its journal; nothing is lost.', width)}
      </Text>
      {/* whole, and copyable as one command (` \` where it continues): a resume command cut at the pane's edge would start a new incident */}
      {resume ? <Lines lines={commandLines(line(seg(attached ? 'attach again: ' : 'resume with: ', 'dim')), resume, width, attached ? 14 : 13)} width={width} /> : null}
      {/* the keys (y quit · n stay) are on the footer, once */}
    </Box>
  );
}
