# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_famctx_global_optspecs
    string join \n o/output= config= database-url= ldap-url= u/user= password-stdin password-file= h/help V/version
end

function __fish_famctx_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_famctx_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_famctx_using_subcommand
    set -l cmd (__fish_famctx_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c famctx -n "__fish_famctx_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_needs_command" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_needs_command" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_needs_command" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_needs_command" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_needs_command" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_needs_command" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_needs_command" -s V -l version -d 'Print version'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "whoami" -d 'Show who you are in Active Directory, your roles and your data source grants'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "source" -d 'Data sources (services) and their coverage'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "audit" -d 'Review and verify the audit trail (auditors)'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "db" -d 'Database schema migrations (run as the owner role)'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "config" -d 'Effective settings and where each came from'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List data sources with title, age rule, last synchronised time and coverage'
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from help" -f -a "list" -d 'List data sources with title, age rule, last synchronised time and coverage'
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -f -a "verify" -d 'Recompute the hash chain and name the first row that breaks it'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -f -a "checkpoint" -d 'Print the chain head (id, hash, time) to keep outside the database'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from verify checkpoint help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l checkpoint -d 'Also check the chain against a head saved earlier by `audit checkpoint -o json`' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Recompute the hash chain and name the first row that breaks it'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "checkpoint" -d 'Print the chain head (id, hash, time) to keep outside the database'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -f -a "migrate" -d 'Apply pending migrations (connects as FAMCTX_OWNER_URL, else the database URL)'
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -f -a "status" -d 'Show each migration: applied, pending, or changed since it was applied'
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "migrate" -d 'Apply pending migrations (connects as FAMCTX_OWNER_URL, else the database URL)'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show each migration: applied, pending, or changed since it was applied'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print the effective settings and where each came from (secrets redacted)'
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective settings and where each came from (secrets redacted)'
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand completions" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name' -r
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand completions" -s h -l help -d 'Print help'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from whoami source audit db config completions help" -f -a "whoami" -d 'Show who you are in Active Directory, your roles and your data source grants'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from whoami source audit db config completions help" -f -a "source" -d 'Data sources (services) and their coverage'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from whoami source audit db config completions help" -f -a "audit" -d 'Review and verify the audit trail (auditors)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from whoami source audit db config completions help" -f -a "db" -d 'Database schema migrations (run as the owner role)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from whoami source audit db config completions help" -f -a "config" -d 'Effective settings and where each came from'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from whoami source audit db config completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from whoami source audit db config completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from source" -f -a "list" -d 'List data sources with title, age rule, last synchronised time and coverage'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Recompute the hash chain and name the first row that breaks it'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "checkpoint" -d 'Print the chain head (id, hash, time) to keep outside the database'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "migrate" -d 'Apply pending migrations (connects as FAMCTX_OWNER_URL, else the database URL)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "status" -d 'Show each migration: applied, pending, or changed since it was applied'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective settings and where each came from (secrets redacted)'
