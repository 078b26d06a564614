# servicedesk-kb
