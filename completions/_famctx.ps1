
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'famctx' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'famctx'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'famctx' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('family', 'family', [CompletionResultType]::ParameterValue, 'Look a person up and see their family and the services involved')
            [CompletionResult]::new('person', 'person', [CompletionResultType]::ParameterValue, 'Find people in the MDM person index')
            [CompletionResult]::new('permission', 'permission', [CompletionResultType]::ParameterValue, 'Grant, revoke, list and review data source permissions (admins)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who you are in Active Directory, your roles and your data source grants')
            [CompletionResult]::new('source', 'source', [CompletionResultType]::ParameterValue, 'Data sources (services) and their coverage')
            [CompletionResult]::new('basis', 'basis', [CompletionResultType]::ParameterValue, 'The legal bases an operator may declare with --basis: list (anyone), add and retire (admins)')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Review and verify the audit trail (auditors)')
            [CompletionResult]::new('mdm', 'mdm', [CompletionResultType]::ParameterValue, 'Check that the nightly MDM load is complete, and list load runs (admins)')
            [CompletionResult]::new('roles', 'roles', [CompletionResultType]::ParameterValue, 'Keep PostgreSQL''s operator roles in step with the AD groups (admins, schedulers)')
            [CompletionResult]::new('db', 'db', [CompletionResultType]::ParameterValue, 'Database schema migrations (run as the owner role)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Effective settings and where each came from')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;family' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a person, their family and the services involved with each member')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;family;show' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why you are looking (recorded in the audit trail), e.g. "s47 enquiry, case 1234"')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('--depth', '--depth', [CompletionResultType]::ParameterName, 'Relationship steps to follow from the person')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--household', '--household', [CompletionResultType]::ParameterName, 'Also show the others living at the person''s address (same UPRN)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Table output in full: each person''s details, then a row per person per data source with its status, records and explanation, nothing shortened')
            [CompletionResult]::new('--break-glass', '--break-glass', [CompletionResultType]::ParameterName, 'Break the glass: also show the restricted persons of this family you hold no access grant for. Needs --reason, whatever the policy; the lookup (or a refused attempt) is recorded as break-glass and reviewed by IG')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;family;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a person, their family and the services involved with each member')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;family;help;show' {
            break
        }
        'famctx;family;help;help' {
            break
        }
        'famctx;person' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find people by last name (exact, any case), first name (prefix) and date of birth')
            [CompletionResult]::new('restrict', 'restrict', [CompletionResultType]::ParameterValue, 'Mark a person restricted, or change their restriction (admins): only users with an access grant for them see their details')
            [CompletionResult]::new('unrestrict', 'unrestrict', [CompletionResultType]::ParameterValue, 'Lift a person''s restriction (admins; history is kept)')
            [CompletionResult]::new('restrictions', 'restrictions', [CompletionResultType]::ParameterValue, 'Restricted persons, soonest review first; --due-within lists those due for review (admins)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;person;search' {
            [CompletionResult]::new('--last-name', '--last-name', [CompletionResultType]::ParameterName, 'last-name')
            [CompletionResult]::new('--first-name', '--first-name', [CompletionResultType]::ParameterName, 'first-name')
            [CompletionResult]::new('--dob', '--dob', [CompletionResultType]::ParameterName, 'Date of birth, YYYY-MM-DD')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why you are searching (recorded in the audit trail)')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Matches a page')
            [CompletionResult]::new('--page', '--page', [CompletionResultType]::ParameterName, 'Page number, from 1')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;person;restrict' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Why the person is restricted')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'The decision''s reason (recorded with the restriction and in the audit trail)')
            [CompletionResult]::new('--review-by', '--review-by', [CompletionResultType]::ParameterName, 'When the restriction is next reviewed, YYYY-MM-DD (default: 90 days from today; at most a year)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;person;unrestrict' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the restriction is lifted (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;person;restrictions' {
            [CompletionResult]::new('--due-within', '--due-within', [CompletionResultType]::ParameterName, 'Only restrictions whose review date falls within this many days (0: due today or overdue)')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;person;help' {
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find people by last name (exact, any case), first name (prefix) and date of birth')
            [CompletionResult]::new('restrict', 'restrict', [CompletionResultType]::ParameterValue, 'Mark a person restricted, or change their restriction (admins): only users with an access grant for them see their details')
            [CompletionResult]::new('unrestrict', 'unrestrict', [CompletionResultType]::ParameterValue, 'Lift a person''s restriction (admins; history is kept)')
            [CompletionResult]::new('restrictions', 'restrictions', [CompletionResultType]::ParameterValue, 'Restricted persons, soonest review first; --due-within lists those due for review (admins)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;person;help;search' {
            break
        }
        'famctx;person;help;restrict' {
            break
        }
        'famctx;person;help;unrestrict' {
            break
        }
        'famctx;person;help;restrictions' {
            break
        }
        'famctx;person;help;help' {
            break
        }
        'famctx;permission' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Grant a user one or more data sources, or access to a restricted person (--person)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a user''s grants, or their access to a restricted person (history is kept)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'What a user may see, or who may see a source, now or at a past moment')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Grants to recertify: expiring soon, or unused for a while')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply grants and revokes in bulk from CSV or JSON lines, all or nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;permission;grant' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Data source codes (see `famctx source list`); on a terminal, asked when missing')
            [CompletionResult]::new('--person', '--person', [CompletionResultType]::ParameterName, 'Instead of sources: access to this restricted person (fc:<n> or cms:<case id>), whose details are otherwise withheld from the user')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'When the grant ends: a date (the end of that day, UTC) or an RFC 3339 time')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long the grant lasts, e.g. 90d or 12w')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded with the grant and in the audit trail)')
            [CompletionResult]::new('--ticket', '--ticket', [CompletionResultType]::ParameterName, 'Change or service desk reference')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;permission;revoke' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Data source codes to revoke')
            [CompletionResult]::new('--person', '--person', [CompletionResultType]::ParameterName, 'Instead of sources: the user''s access to this restricted person (fc:<n> or cms:<case id>)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded with the revocation and in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Revoke every source the user holds')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;permission;list' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only grants on this source ("who can see housing?")')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'As of this moment (date, RFC 3339 time, or a span back such as 30d)')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--include-ended', '--include-ended', [CompletionResultType]::ParameterName, 'Include grants that had ended (revoked or expired) by then')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;permission;review' {
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Grants that expire within this many days')
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'Grants whose source the grantee has not looked at for this many days')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;permission;apply' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would change, and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;permission;help' {
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Grant a user one or more data sources, or access to a restricted person (--person)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a user''s grants, or their access to a restricted person (history is kept)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'What a user may see, or who may see a source, now or at a past moment')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Grants to recertify: expiring soon, or unused for a while')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply grants and revokes in bulk from CSV or JSON lines, all or nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;permission;help;grant' {
            break
        }
        'famctx;permission;help;revoke' {
            break
        }
        'famctx;permission;help;list' {
            break
        }
        'famctx;permission;help;review' {
            break
        }
        'famctx;permission;help;apply' {
            break
        }
        'famctx;permission;help;help' {
            break
        }
        'famctx;whoami' {
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;source' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List data sources with title, age rule, last synchronised time and coverage')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;source;list' {
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;source;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List data sources with title, age rule, last synchronised time and coverage')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;source;help;list' {
            break
        }
        'famctx;source;help;help' {
            break
        }
        'famctx;basis' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The legal bases: those operators may declare, then those retired')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a legal basis to the list (admins); a code is never reused')
            [CompletionResult]::new('retire', 'retire', [CompletionResultType]::ParameterValue, 'Retire a legal basis (admins): it can no longer be declared; the audit rows that name it keep it, and it stays on the list, marked retired')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;basis;list' {
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;basis;add' {
            [CompletionResult]::new('--title', '--title', [CompletionResultType]::ParameterName, 'What the basis is for, e.g. "Child protection enquiry"')
            [CompletionResult]::new('--legislation', '--legislation', [CompletionResultType]::ParameterName, 'The legislation it rests on, e.g. "Children Act 1989 s47"')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the list changes (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;basis;retire' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why it is retired (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;basis;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The legal bases: those operators may declare, then those retired')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a legal basis to the list (admins); a code is never reused')
            [CompletionResult]::new('retire', 'retire', [CompletionResultType]::ParameterValue, 'Retire a legal basis (admins): it can no longer be declared; the audit rows that name it keep it, and it stays on the list, marked retired')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;basis;help;list' {
            break
        }
        'famctx;basis;help;add' {
            break
        }
        'famctx;basis;help;retire' {
            break
        }
        'famctx;basis;help;help' {
            break
        }
        'famctx;audit' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search the audit trail, newest first')
            [CompletionResult]::new('person', 'person', [CompletionResultType]::ParameterValue, 'Access report for one person: every access that disclosed them, grouped by actor')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Stream every matching row, all columns, in id order (-o jsonl or -o csv)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Accesses by actor, source and outcome, and unusual patterns worth a spot check')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain (from the last archive on) and name the first row that breaks it')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Print the chain head (id, hash, time) to keep outside the database; also makes the months ahead of the trail')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Write whole months before a date, outside the retention period, to a checked file, then remove them from the database')
            [CompletionResult]::new('break-glass', 'break-glass', [CompletionResultType]::ParameterValue, 'Break-glass lookups of restricted persons, and refused attempts, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;audit;search' {
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Account that acted (or tried to), any case')
            [CompletionResult]::new('--person', '--person', [CompletionResultType]::ParameterName, 'Person disclosed, as subject or family member: fc:<n>, <n> or cms:<case id>')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Audit action, e.g. viewed_family, searched, permission_granted')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Data source disclosed, e.g. police')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Outcome recorded')
            [CompletionResult]::new('--declared-basis', '--declared-basis', [CompletionResultType]::ParameterName, 'Only rows declared under this legal basis, e.g. ca1989_s47 (retired codes too; --basis declares your own)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only rows before T (same forms as --since)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows to show at most')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--without-basis', '--without-basis', [CompletionResultType]::ParameterName, 'Only rows that declared no legal basis')
            [CompletionResult]::new('--break-glass', '--break-glass', [CompletionResultType]::ParameterName, 'Only break-glass rows: a restricted person disclosed without an access grant')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;audit;person' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only rows before T (same forms as --since)')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;audit;export' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only rows before T (same forms as --since)')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;audit;stats' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only rows before T (same forms as --since)')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;audit;verify' {
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Also check the chain against a head saved earlier by `audit checkpoint -o json`')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'Check an archive file instead: its rows, header, trailer and .sha256, and that the database recorded it')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'With --archive: check the file alone, without signing in (and without an audit row)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;audit;checkpoint' {
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;audit;archive' {
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Archive the whole months before this date''s month (YYYY-MM-DD); it must be outside the retention period (policy audit_retention_months, default 72 months)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory to write the archive file and its .sha256 into')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded in the audit trail)')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed without a terminal)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;audit;break-glass' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only rows before T (same forms as --since)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows to show at most')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;audit;help' {
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search the audit trail, newest first')
            [CompletionResult]::new('person', 'person', [CompletionResultType]::ParameterValue, 'Access report for one person: every access that disclosed them, grouped by actor')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Stream every matching row, all columns, in id order (-o jsonl or -o csv)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Accesses by actor, source and outcome, and unusual patterns worth a spot check')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain (from the last archive on) and name the first row that breaks it')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Print the chain head (id, hash, time) to keep outside the database; also makes the months ahead of the trail')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Write whole months before a date, outside the retention period, to a checked file, then remove them from the database')
            [CompletionResult]::new('break-glass', 'break-glass', [CompletionResultType]::ParameterValue, 'Break-glass lookups of restricted persons, and refused attempts, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;audit;help;search' {
            break
        }
        'famctx;audit;help;person' {
            break
        }
        'famctx;audit;help;export' {
            break
        }
        'famctx;audit;help;stats' {
            break
        }
        'famctx;audit;help;verify' {
            break
        }
        'famctx;audit;help;checkpoint' {
            break
        }
        'famctx;audit;help;archive' {
            break
        }
        'famctx;audit;help;break-glass' {
            break
        }
        'famctx;audit;help;help' {
            break
        }
        'famctx;mdm' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check that the last MDM load is complete: freshness, counts, key sets, drops, orphans, completeness (exit 0 pass, 6 warn, 7 fail)')
            [CompletionResult]::new('loads', 'loads', [CompletionResultType]::ParameterValue, 'Recent load runs, with their row counts and durations')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;mdm;validate' {
            [CompletionResult]::new('--mdm-url', '--mdm-url', [CompletionResultType]::ParameterName, 'MDM warehouse URL [default: mdm_url setting, FAMCTX_MDM_URL]; keep passwords out of it (set FAMCTX_MDM_URL instead)')
            [CompletionResult]::new('--load', '--load', [CompletionResultType]::ParameterName, 'Load run to validate (an id from `famctx mdm loads`) [default: the last completed]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the JSON report to FILE (replaced atomically; readable by its owner only)')
            [CompletionResult]::new('--fresh-warn-hours', '--fresh-warn-hours', [CompletionResultType]::ParameterName, 'Warn when the last completed load ended more than this many hours ago [setting mdm_fresh_warn_hours]')
            [CompletionResult]::new('--fresh-fail-hours', '--fresh-fail-hours', [CompletionResultType]::ParameterName, 'Fail when the last completed load ended more than this many hours ago [setting mdm_fresh_fail_hours]')
            [CompletionResult]::new('--drop-warn-pct', '--drop-warn-pct', [CompletionResultType]::ParameterName, 'Warn when an entity has more than this percentage fewer rows than at the previous load [setting mdm_drop_warn_pct]')
            [CompletionResult]::new('--drop-fail-pct', '--drop-fail-pct', [CompletionResultType]::ParameterName, 'Fail when an entity has more than this percentage fewer rows than at the previous load [setting mdm_drop_fail_pct]')
            [CompletionResult]::new('--missing-field-warn-pct', '--missing-field-warn-pct', [CompletionResultType]::ParameterName, 'Warn when more than this percentage of persons lack a name, date of birth or address [setting mdm_missing_field_warn_pct]')
            [CompletionResult]::new('--missing-field-fail-pct', '--missing-field-fail-pct', [CompletionResultType]::ParameterName, 'Fail when more than this percentage of persons lack a name, date of birth or address [setting mdm_missing_field_fail_pct]')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;mdm;loads' {
            [CompletionResult]::new('--mdm-url', '--mdm-url', [CompletionResultType]::ParameterName, 'MDM warehouse URL (read-only role) [default: mdm_url setting, FAMCTX_MDM_URL]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Runs to show, newest first')
            [CompletionResult]::new('--basis', '--basis', [CompletionResultType]::ParameterName, 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;mdm;help' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check that the last MDM load is complete: freshness, counts, key sets, drops, orphans, completeness (exit 0 pass, 6 warn, 7 fail)')
            [CompletionResult]::new('loads', 'loads', [CompletionResultType]::ParameterValue, 'Recent load runs, with their row counts and durations')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;mdm;help;validate' {
            break
        }
        'famctx;mdm;help;loads' {
            break
        }
        'famctx;mdm;help;help' {
            break
        }
        'famctx;roles' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Mirror the AD groups into PostgreSQL roles: a login role for each member of FamilyContext Users, Admins or Auditors (nested membership), the group roles famctx_users, famctx_admins and famctx_auditors, and NOLOGIN for accounts that left every group or are disabled. Roles are never dropped. Idempotent; run it from a scheduler with --yes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;roles;sync' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded with each change), e.g. "nightly sync"')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the changes without making them')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Make the changes without asking (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Make the changes without asking (needed without a terminal)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;roles;help' {
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Mirror the AD groups into PostgreSQL roles: a login role for each member of FamilyContext Users, Admins or Auditors (nested membership), the group roles famctx_users, famctx_admins and famctx_auditors, and NOLOGIN for accounts that left every group or are disabled. Roles are never dropped. Idempotent; run it from a scheduler with --yes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;roles;help;sync' {
            break
        }
        'famctx;roles;help;help' {
            break
        }
        'famctx;db' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply pending migrations (connects as FAMCTX_OWNER_URL, else the database URL)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each migration: applied, pending, or changed since it was applied')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;db;migrate' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;db;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;db;help' {
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply pending migrations (connects as FAMCTX_OWNER_URL, else the database URL)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each migration: applied, pending, or changed since it was applied')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;db;help;migrate' {
            break
        }
        'famctx;db;help;status' {
            break
        }
        'famctx;db;help;help' {
            break
        }
        'famctx;config' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective settings and where each came from (secrets redacted)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;config;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective settings and where each came from (secrets redacted)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;config;help;show' {
            break
        }
        'famctx;config;help;help' {
            break
        }
        'famctx;completions' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How to sign in: password (default), or kerberos: the operator''s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'famctx;help' {
            [CompletionResult]::new('family', 'family', [CompletionResultType]::ParameterValue, 'Look a person up and see their family and the services involved')
            [CompletionResult]::new('person', 'person', [CompletionResultType]::ParameterValue, 'Find people in the MDM person index')
            [CompletionResult]::new('permission', 'permission', [CompletionResultType]::ParameterValue, 'Grant, revoke, list and review data source permissions (admins)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who you are in Active Directory, your roles and your data source grants')
            [CompletionResult]::new('source', 'source', [CompletionResultType]::ParameterValue, 'Data sources (services) and their coverage')
            [CompletionResult]::new('basis', 'basis', [CompletionResultType]::ParameterValue, 'The legal bases an operator may declare with --basis: list (anyone), add and retire (admins)')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Review and verify the audit trail (auditors)')
            [CompletionResult]::new('mdm', 'mdm', [CompletionResultType]::ParameterValue, 'Check that the nightly MDM load is complete, and list load runs (admins)')
            [CompletionResult]::new('roles', 'roles', [CompletionResultType]::ParameterValue, 'Keep PostgreSQL''s operator roles in step with the AD groups (admins, schedulers)')
            [CompletionResult]::new('db', 'db', [CompletionResultType]::ParameterValue, 'Database schema migrations (run as the owner role)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Effective settings and where each came from')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;help;family' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a person, their family and the services involved with each member')
            break
        }
        'famctx;help;family;show' {
            break
        }
        'famctx;help;person' {
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find people by last name (exact, any case), first name (prefix) and date of birth')
            [CompletionResult]::new('restrict', 'restrict', [CompletionResultType]::ParameterValue, 'Mark a person restricted, or change their restriction (admins): only users with an access grant for them see their details')
            [CompletionResult]::new('unrestrict', 'unrestrict', [CompletionResultType]::ParameterValue, 'Lift a person''s restriction (admins; history is kept)')
            [CompletionResult]::new('restrictions', 'restrictions', [CompletionResultType]::ParameterValue, 'Restricted persons, soonest review first; --due-within lists those due for review (admins)')
            break
        }
        'famctx;help;person;search' {
            break
        }
        'famctx;help;person;restrict' {
            break
        }
        'famctx;help;person;unrestrict' {
            break
        }
        'famctx;help;person;restrictions' {
            break
        }
        'famctx;help;permission' {
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Grant a user one or more data sources, or access to a restricted person (--person)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a user''s grants, or their access to a restricted person (history is kept)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'What a user may see, or who may see a source, now or at a past moment')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Grants to recertify: expiring soon, or unused for a while')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply grants and revokes in bulk from CSV or JSON lines, all or nothing')
            break
        }
        'famctx;help;permission;grant' {
            break
        }
        'famctx;help;permission;revoke' {
            break
        }
        'famctx;help;permission;list' {
            break
        }
        'famctx;help;permission;review' {
            break
        }
        'famctx;help;permission;apply' {
            break
        }
        'famctx;help;whoami' {
            break
        }
        'famctx;help;source' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List data sources with title, age rule, last synchronised time and coverage')
            break
        }
        'famctx;help;source;list' {
            break
        }
        'famctx;help;basis' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The legal bases: those operators may declare, then those retired')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a legal basis to the list (admins); a code is never reused')
            [CompletionResult]::new('retire', 'retire', [CompletionResultType]::ParameterValue, 'Retire a legal basis (admins): it can no longer be declared; the audit rows that name it keep it, and it stays on the list, marked retired')
            break
        }
        'famctx;help;basis;list' {
            break
        }
        'famctx;help;basis;add' {
            break
        }
        'famctx;help;basis;retire' {
            break
        }
        'famctx;help;audit' {
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search the audit trail, newest first')
            [CompletionResult]::new('person', 'person', [CompletionResultType]::ParameterValue, 'Access report for one person: every access that disclosed them, grouped by actor')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Stream every matching row, all columns, in id order (-o jsonl or -o csv)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Accesses by actor, source and outcome, and unusual patterns worth a spot check')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain (from the last archive on) and name the first row that breaks it')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Print the chain head (id, hash, time) to keep outside the database; also makes the months ahead of the trail')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Write whole months before a date, outside the retention period, to a checked file, then remove them from the database')
            [CompletionResult]::new('break-glass', 'break-glass', [CompletionResultType]::ParameterValue, 'Break-glass lookups of restricted persons, and refused attempts, newest first')
            break
        }
        'famctx;help;audit;search' {
            break
        }
        'famctx;help;audit;person' {
            break
        }
        'famctx;help;audit;export' {
            break
        }
        'famctx;help;audit;stats' {
            break
        }
        'famctx;help;audit;verify' {
            break
        }
        'famctx;help;audit;checkpoint' {
            break
        }
        'famctx;help;audit;archive' {
            break
        }
        'famctx;help;audit;break-glass' {
            break
        }
        'famctx;help;mdm' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check that the last MDM load is complete: freshness, counts, key sets, drops, orphans, completeness (exit 0 pass, 6 warn, 7 fail)')
            [CompletionResult]::new('loads', 'loads', [CompletionResultType]::ParameterValue, 'Recent load runs, with their row counts and durations')
            break
        }
        'famctx;help;mdm;validate' {
            break
        }
        'famctx;help;mdm;loads' {
            break
        }
        'famctx;help;roles' {
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Mirror the AD groups into PostgreSQL roles: a login role for each member of FamilyContext Users, Admins or Auditors (nested membership), the group roles famctx_users, famctx_admins and famctx_auditors, and NOLOGIN for accounts that left every group or are disabled. Roles are never dropped. Idempotent; run it from a scheduler with --yes')
            break
        }
        'famctx;help;roles;sync' {
            break
        }
        'famctx;help;db' {
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply pending migrations (connects as FAMCTX_OWNER_URL, else the database URL)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each migration: applied, pending, or changed since it was applied')
            break
        }
        'famctx;help;db;migrate' {
            break
        }
        'famctx;help;db;status' {
            break
        }
        'famctx;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective settings and where each came from (secrets redacted)')
            break
        }
        'famctx;help;config;show' {
            break
        }
        'famctx;help;completions' {
            break
        }
        'famctx;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
