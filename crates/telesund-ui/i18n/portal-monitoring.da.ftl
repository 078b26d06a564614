# The citizen portal: measurements, questionnaires, messages.
