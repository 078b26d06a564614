# servicedesk-reports
