/** `q` asks once: the state is kept, and this is the command that resumes. */
import { Box, Text } from 'ink';
import { useTheme } from '../theme.js';
import { useCommands } from '../context.js';
import { fit, line, seg, wrap } from '../text.js';
import { Lines } from '../components/lines.js';

export function QuitConfirm({ width }: { width: number }) {
  const theme = useTheme();
  const { resume } = useCommands();
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" {...theme.seg.warn}>
        {fit('Quit now? The incident state is kept in its journal; nothing is lost.', width)}
      </Text>
      {/* whole, wrapped: a resume command cut at the pane's edge would start a new incident */}
      <Lines lines={wrap(line(seg('resume with: ', 'dim'), seg(resume, 'code')), width, 13)} width={width} />
      <Text wrap="truncate-end">
        <Text {...theme.seg.key}>{'y'}</Text>
        <Text>{' quit   '}</Text>
        <Text {...theme.seg.key}>{'n'}</Text>
        <Text>{' stay'}</Text>
      </Text>
    </Box>
  );
}
