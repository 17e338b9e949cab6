
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
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who you are in Active Directory, your roles and your data source grants')
            [CompletionResult]::new('source', 'source', [CompletionResultType]::ParameterValue, 'Data sources (services) and their coverage')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Review and verify the audit trail (auditors)')
            [CompletionResult]::new('db', 'db', [CompletionResultType]::ParameterValue, 'Database schema migrations (run as the owner role)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Effective settings and where each came from')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;whoami' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'famctx;source' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List data sources with title, age rule, last synchronised time and coverage')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;source;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
        'famctx;audit' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain and name the first row that breaks it')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Print the chain head (id, hash, time) to keep outside the database')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;audit;verify' {
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Also check the chain against a head saved earlier by `audit checkpoint -o json`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'famctx;audit;checkpoint' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'famctx;audit;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain and name the first row that breaks it')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Print the chain head (id, hash, time) to keep outside the database')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'famctx;audit;help;verify' {
            break
        }
        'famctx;audit;help;checkpoint' {
            break
        }
        'famctx;audit;help;help' {
            break
        }
        'famctx;db' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'famctx;db;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)')
            [CompletionResult]::new('--ldap-url', '--ldap-url', [CompletionResultType]::ParameterName, 'Active Directory URL: ldaps://host or ldap://host (StartTLS)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Operator account: name, name@realm or DOMAIN\name')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the operator''s password from a file readable by its owner only')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the operator''s password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'famctx;help' {
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who you are in Active Directory, your roles and your data source grants')
            [CompletionResult]::new('source', 'source', [CompletionResultType]::ParameterValue, 'Data sources (services) and their coverage')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Review and verify the audit trail (auditors)')
            [CompletionResult]::new('db', 'db', [CompletionResultType]::ParameterValue, 'Database schema migrations (run as the owner role)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Effective settings and where each came from')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
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
        'famctx;help;audit' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain and name the first row that breaks it')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Print the chain head (id, hash, time) to keep outside the database')
            break
        }
        'famctx;help;audit;verify' {
            break
        }
        'famctx;help;audit;checkpoint' {
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
