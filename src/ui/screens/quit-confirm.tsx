/** `q` asks once: the state is kept, and this is the command that resumes. */
import { Box, Text } from 'ink';
import { useTheme } from '../theme.js';
import { useCommands } from '../context.js';
import { fit } from '../text.js';

export function QuitConfirm({ width }: { width: number }) {
  const theme = useTheme();
  const { resume } = useCommands();
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" {...theme.seg.warn}>
        {fit('Quit now? The incident state is kept in its journal; nothing is lost.', width)}
      </Text>
      <Text wrap="truncate-end">
        <Text {...theme.seg.dim}>{'resume with: '}</Text>
        <Text {...theme.seg.code}>{fit(resume, Math.max(10, width - 13))}</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text {...theme.seg.key}>{'y'}</Text>
        <Text>{' quit   '}</Text>
        <Text {...theme.seg.key}>{'n'}</Text>
        <Text>{' stay'}</Text>
      </Text>
    </Box>
  );
}
