# servicedesk
