# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_famctx_global_optspecs
    string join \n o/output= config= database-url= ldap-url= u/user= auth= password-stdin password-file= h/help V/version
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
complete -c famctx -n "__fish_famctx_needs_command" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_needs_command" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_needs_command" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_needs_command" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_needs_command" -s V -l version -d 'Print version'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "family" -d 'Look a person up and see their family and the services involved'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "person" -d 'Find people in the MDM person index'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "permission" -d 'Grant, revoke, list and review data source permissions (admins)'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "whoami" -d 'Show who you are in Active Directory, your roles and your data source grants'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "source" -d 'Data sources (services) and their coverage'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "basis" -d 'The legal bases an operator may declare with --basis: list (anyone), add and retire (admins)'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "audit" -d 'Review and verify the audit trail (auditors)'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "mdm" -d 'Check that the nightly MDM load is complete, and list load runs (admins)'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "roles" -d 'Keep PostgreSQL\'s operator roles in step with the AD groups (admins, schedulers)'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "db" -d 'Database schema migrations (run as the owner role)'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "config" -d 'Effective settings and where each came from'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c famctx -n "__fish_famctx_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Show a person, their family and the services involved with each member'
complete -c famctx -n "__fish_famctx_using_subcommand family; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l reason -d 'Why you are looking (recorded in the audit trail), e.g. "s47 enquiry, case 1234"' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l depth -d 'Relationship steps to follow from the person' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l household -d 'Also show the others living at the person\'s address (same UPRN)'
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l wide -d 'Table output in full: each person\'s details, then a row per person per data source with its status, records and explanation, nothing shortened'
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l break-glass -d 'Break the glass: also show the restricted persons of this family you hold no access grant for. Needs --reason, whatever the policy; the lookup (or a refused attempt) is recorded as break-glass and reviewed by IG'
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a person, their family and the services involved with each member'
complete -c famctx -n "__fish_famctx_using_subcommand family; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -f -a "search" -d 'Find people by last name (exact, any case), first name (prefix) and date of birth'
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -f -a "restrict" -d 'Mark a person restricted, or change their restriction (admins): only users with an access grant for them see their details'
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -f -a "unrestrict" -d 'Lift a person\'s restriction (admins; history is kept)'
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -f -a "restrictions" -d 'Restricted persons, soonest review first; --due-within lists those due for review (admins)'
complete -c famctx -n "__fish_famctx_using_subcommand person; and not __fish_seen_subcommand_from search restrict unrestrict restrictions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l last-name -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l first-name -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l dob -d 'Date of birth, YYYY-MM-DD' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l reason -d 'Why you are searching (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l limit -d 'Matches a page' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l page -d 'Page number, from 1' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l category -d 'Why the person is restricted' -r -f -a "adoption\t''
high_profile\t''
staff_related\t''
high_risk\t''
other\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l reason -d 'The decision\'s reason (recorded with the restriction and in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l review-by -d 'When the restriction is next reviewed, YYYY-MM-DD (default: 90 days from today; at most a year)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrict" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -l reason -d 'Why the restriction is lifted (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -s y -l yes -d 'Do not ask for confirmation'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from unrestrict" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -l due-within -d 'Only restrictions whose review date falls within this many days (0: due today or overdue)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from restrictions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from help" -f -a "search" -d 'Find people by last name (exact, any case), first name (prefix) and date of birth'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from help" -f -a "restrict" -d 'Mark a person restricted, or change their restriction (admins): only users with an access grant for them see their details'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from help" -f -a "unrestrict" -d 'Lift a person\'s restriction (admins; history is kept)'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from help" -f -a "restrictions" -d 'Restricted persons, soonest review first; --due-within lists those due for review (admins)'
complete -c famctx -n "__fish_famctx_using_subcommand person; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -f -a "grant" -d 'Grant a user one or more data sources, or access to a restricted person (--person)'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -f -a "revoke" -d 'Revoke a user\'s grants, or their access to a restricted person (history is kept)'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -f -a "list" -d 'What a user may see, or who may see a source, now or at a past moment'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -f -a "review" -d 'Grants to recertify: expiring soon, or unused for a while'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -f -a "apply" -d 'Apply grants and revokes in bulk from CSV or JSON lines, all or nothing'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and not __fish_seen_subcommand_from grant revoke list review apply help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l source -d 'Data source codes (see `famctx source list`); on a terminal, asked when missing' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l person -d 'Instead of sources: access to this restricted person (fc:<n> or cms:<case id>), whose details are otherwise withheld from the user' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l expires -d 'When the grant ends: a date (the end of that day, UTC) or an RFC 3339 time' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l for -d 'How long the grant lasts, e.g. 90d or 12w' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l reason -d 'Why (recorded with the grant and in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l ticket -d 'Change or service desk reference' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from grant" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l source -d 'Data source codes to revoke' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l person -d 'Instead of sources: the user\'s access to this restricted person (fc:<n> or cms:<case id>)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l reason -d 'Why (recorded with the revocation and in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l all -d 'Revoke every source the user holds'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -s y -l yes -d 'Do not ask for confirmation'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l source -d 'Only grants on this source ("who can see housing?")' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l as-of -d 'As of this moment (date, RFC 3339 time, or a span back such as 30d)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l include-ended -d 'Include grants that had ended (revoked or expired) by then'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l expiring-within -d 'Grants that expire within this many days' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l unused-for -d 'Grants whose source the grantee has not looked at for this many days' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from review" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -l dry-run -d 'Print what would change, and change nothing'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -s y -l yes -d 'Do not ask for confirmation'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from help" -f -a "grant" -d 'Grant a user one or more data sources, or access to a restricted person (--person)'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a user\'s grants, or their access to a restricted person (history is kept)'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from help" -f -a "list" -d 'What a user may see, or who may see a source, now or at a past moment'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from help" -f -a "review" -d 'Grants to recertify: expiring soon, or unused for a while'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from help" -f -a "apply" -d 'Apply grants and revokes in bulk from CSV or JSON lines, all or nothing'
complete -c famctx -n "__fish_famctx_using_subcommand permission; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand whoami" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List data sources with title, age rule, last synchronised time and coverage'
complete -c famctx -n "__fish_famctx_using_subcommand source; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from help" -f -a "list" -d 'List data sources with title, age rule, last synchronised time and coverage'
complete -c famctx -n "__fish_famctx_using_subcommand source; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -f -a "list" -d 'The legal bases: those operators may declare, then those retired'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -f -a "add" -d 'Add a legal basis to the list (admins); a code is never reused'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -f -a "retire" -d 'Retire a legal basis (admins): it can no longer be declared; the audit rows that name it keep it, and it stays on the list, marked retired'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and not __fish_seen_subcommand_from list add retire help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l title -d 'What the basis is for, e.g. "Child protection enquiry"' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l legislation -d 'The legislation it rests on, e.g. "Children Act 1989 s47"' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l reason -d 'Why the list changes (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -l reason -d 'Why it is retired (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -s y -l yes -d 'Do not ask for confirmation'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from retire" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from help" -f -a "list" -d 'The legal bases: those operators may declare, then those retired'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a legal basis to the list (admins); a code is never reused'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from help" -f -a "retire" -d 'Retire a legal basis (admins): it can no longer be declared; the audit rows that name it keep it, and it stays on the list, marked retired'
complete -c famctx -n "__fish_famctx_using_subcommand basis; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "search" -d 'Search the audit trail, newest first'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "person" -d 'Access report for one person: every access that disclosed them, grouped by actor'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "export" -d 'Stream every matching row, all columns, in id order (-o jsonl or -o csv)'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "stats" -d 'Accesses by actor, source and outcome, and unusual patterns worth a spot check'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "verify" -d 'Recompute the hash chain (from the last archive on) and name the first row that breaks it'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "checkpoint" -d 'Print the chain head (id, hash, time) to keep outside the database; also makes the months ahead of the trail'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "archive" -d 'Write whole months before a date, outside the retention period, to a checked file, then remove them from the database'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "break-glass" -d 'Break-glass lookups of restricted persons, and refused attempts, newest first'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and not __fish_seen_subcommand_from search person export stats verify checkpoint archive break-glass help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l actor -d 'Account that acted (or tried to), any case' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l person -d 'Person disclosed, as subject or family member: fc:<n>, <n> or cms:<case id>' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l action -d 'Audit action, e.g. viewed_family, searched, permission_granted' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l source -d 'Data source disclosed, e.g. police' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l outcome -d 'Outcome recorded' -r -f -a "allowed\t''
denied\t''
not_found\t''
error\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l declared-basis -d 'Only rows declared under this legal basis, e.g. ca1989_s47 (retired codes too; --basis declares your own)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l since -d 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l until -d 'Only rows before T (same forms as --since)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l limit -d 'Rows to show at most' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l without-basis -d 'Only rows that declared no legal basis'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l break-glass -d 'Only break-glass rows: a restricted person disclosed without an access grant'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l since -d 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l until -d 'Only rows before T (same forms as --since)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from person" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l since -d 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l until -d 'Only rows before T (same forms as --since)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l since -d 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l until -d 'Only rows before T (same forms as --since)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l checkpoint -d 'Also check the chain against a head saved earlier by `audit checkpoint -o json`' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l archive -d 'Check an archive file instead: its rows, header, trailer and .sha256, and that the database recorded it' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l offline -d 'With --archive: check the file alone, without signing in (and without an audit row)'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l before -d 'Archive the whole months before this date\'s month (YYYY-MM-DD); it must be outside the retention period (policy audit_retention_months, default 72 months)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l dir -d 'Directory to write the archive file and its .sha256 into' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l reason -d 'Why (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l yes -d 'Do not ask for confirmation (needed without a terminal)'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from archive" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l since -d 'Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l until -d 'Only rows before T (same forms as --since)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l limit -d 'Rows to show at most' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from break-glass" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "search" -d 'Search the audit trail, newest first'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "person" -d 'Access report for one person: every access that disclosed them, grouped by actor'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "export" -d 'Stream every matching row, all columns, in id order (-o jsonl or -o csv)'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Accesses by actor, source and outcome, and unusual patterns worth a spot check'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Recompute the hash chain (from the last archive on) and name the first row that breaks it'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "checkpoint" -d 'Print the chain head (id, hash, time) to keep outside the database; also makes the months ahead of the trail'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "archive" -d 'Write whole months before a date, outside the retention period, to a checked file, then remove them from the database'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "break-glass" -d 'Break-glass lookups of restricted persons, and refused attempts, newest first'
complete -c famctx -n "__fish_famctx_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -f -a "validate" -d 'Check that the last MDM load is complete: freshness, counts, key sets, drops, orphans, completeness (exit 0 pass, 6 warn, 7 fail)'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -f -a "loads" -d 'Recent load runs, with their row counts and durations'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and not __fish_seen_subcommand_from validate loads help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l mdm-url -d 'MDM warehouse URL [default: mdm_url setting, FAMCTX_MDM_URL]; keep passwords out of it (set FAMCTX_MDM_URL instead)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l load -d 'Load run to validate (an id from `famctx mdm loads`) [default: the last completed]' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l report -d 'Also write the JSON report to FILE (replaced atomically; readable by its owner only)' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l fresh-warn-hours -d 'Warn when the last completed load ended more than this many hours ago [setting mdm_fresh_warn_hours]' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l fresh-fail-hours -d 'Fail when the last completed load ended more than this many hours ago [setting mdm_fresh_fail_hours]' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l drop-warn-pct -d 'Warn when an entity has more than this percentage fewer rows than at the previous load [setting mdm_drop_warn_pct]' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l drop-fail-pct -d 'Fail when an entity has more than this percentage fewer rows than at the previous load [setting mdm_drop_fail_pct]' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l missing-field-warn-pct -d 'Warn when more than this percentage of persons lack a name, date of birth or address [setting mdm_missing_field_warn_pct]' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l missing-field-fail-pct -d 'Fail when more than this percentage of persons lack a name, date of birth or address [setting mdm_missing_field_fail_pct]' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l mdm-url -d 'MDM warehouse URL (read-only role) [default: mdm_url setting, FAMCTX_MDM_URL]' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l limit -d 'Runs to show, newest first' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l basis -d 'Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47 (recorded in the audit trail)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from loads" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check that the last MDM load is complete: freshness, counts, key sets, drops, orphans, completeness (exit 0 pass, 6 warn, 7 fail)'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from help" -f -a "loads" -d 'Recent load runs, with their row counts and durations'
complete -c famctx -n "__fish_famctx_using_subcommand mdm; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -f -a "sync" -d 'Mirror the AD groups into PostgreSQL roles: a login role for each member of FamilyContext Users, Admins or Auditors (nested membership), the group roles famctx_users, famctx_admins and famctx_auditors, and NOLOGIN for accounts that left every group or are disabled. Roles are never dropped. Idempotent; run it from a scheduler with --yes'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and not __fish_seen_subcommand_from sync help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -l reason -d 'Why (recorded with each change), e.g. "nightly sync"' -r
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -l dry-run -d 'Print the changes without making them'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -s y -l yes -d 'Make the changes without asking (needed without a terminal)'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Mirror the AD groups into PostgreSQL roles: a login role for each member of FamilyContext Users, Admins or Auditors (nested membership), the group roles famctx_users, famctx_admins and famctx_auditors, and NOLOGIN for accounts that left every group or are disabled. Roles are never dropped. Idempotent; run it from a scheduler with --yes'
complete -c famctx -n "__fish_famctx_using_subcommand roles; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s h -l help -d 'Print help (see more with \'--help\')'
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
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand db; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
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
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print the effective settings and where each came from (secrets redacted)'
complete -c famctx -n "__fish_famctx_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective settings and where each came from (secrets redacted)'
complete -c famctx -n "__fish_famctx_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l config -d 'Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l database-url -d 'PostgreSQL URL of the family context database (keep passwords in the environment or the config file, not on the command line)' -r
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l ldap-url -d 'Active Directory URL: ldaps://host or ldap://host (StartTLS)' -r
complete -c famctx -n "__fish_famctx_using_subcommand completions" -s u -l user -d 'Operator account: name, name@realm or DOMAIN\\name (not with --auth kerberos: the ticket names you)' -r
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l auth -d 'How to sign in: password (default), or kerberos: the operator\'s Kerberos ticket (from kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with the `kerberos` feature' -r -f -a "password\t''
kerberos\t''"
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l password-file -d 'Read the operator\'s password from a file readable by its owner only' -r -F
complete -c famctx -n "__fish_famctx_using_subcommand completions" -l password-stdin -d 'Read the operator\'s password from the first line of standard input'
complete -c famctx -n "__fish_famctx_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "family" -d 'Look a person up and see their family and the services involved'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "person" -d 'Find people in the MDM person index'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "permission" -d 'Grant, revoke, list and review data source permissions (admins)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "whoami" -d 'Show who you are in Active Directory, your roles and your data source grants'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "source" -d 'Data sources (services) and their coverage'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "basis" -d 'The legal bases an operator may declare with --basis: list (anyone), add and retire (admins)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "audit" -d 'Review and verify the audit trail (auditors)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "mdm" -d 'Check that the nightly MDM load is complete, and list load runs (admins)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "roles" -d 'Keep PostgreSQL\'s operator roles in step with the AD groups (admins, schedulers)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "db" -d 'Database schema migrations (run as the owner role)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "config" -d 'Effective settings and where each came from'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c famctx -n "__fish_famctx_using_subcommand help; and not __fish_seen_subcommand_from family person permission whoami source basis audit mdm roles db config completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from family" -f -a "show" -d 'Show a person, their family and the services involved with each member'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from person" -f -a "search" -d 'Find people by last name (exact, any case), first name (prefix) and date of birth'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from person" -f -a "restrict" -d 'Mark a person restricted, or change their restriction (admins): only users with an access grant for them see their details'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from person" -f -a "unrestrict" -d 'Lift a person\'s restriction (admins; history is kept)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from person" -f -a "restrictions" -d 'Restricted persons, soonest review first; --due-within lists those due for review (admins)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from permission" -f -a "grant" -d 'Grant a user one or more data sources, or access to a restricted person (--person)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from permission" -f -a "revoke" -d 'Revoke a user\'s grants, or their access to a restricted person (history is kept)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from permission" -f -a "list" -d 'What a user may see, or who may see a source, now or at a past moment'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from permission" -f -a "review" -d 'Grants to recertify: expiring soon, or unused for a while'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from permission" -f -a "apply" -d 'Apply grants and revokes in bulk from CSV or JSON lines, all or nothing'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from source" -f -a "list" -d 'List data sources with title, age rule, last synchronised time and coverage'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from basis" -f -a "list" -d 'The legal bases: those operators may declare, then those retired'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from basis" -f -a "add" -d 'Add a legal basis to the list (admins); a code is never reused'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from basis" -f -a "retire" -d 'Retire a legal basis (admins): it can no longer be declared; the audit rows that name it keep it, and it stays on the list, marked retired'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "search" -d 'Search the audit trail, newest first'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "person" -d 'Access report for one person: every access that disclosed them, grouped by actor'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "export" -d 'Stream every matching row, all columns, in id order (-o jsonl or -o csv)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "stats" -d 'Accesses by actor, source and outcome, and unusual patterns worth a spot check'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Recompute the hash chain (from the last archive on) and name the first row that breaks it'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "checkpoint" -d 'Print the chain head (id, hash, time) to keep outside the database; also makes the months ahead of the trail'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "archive" -d 'Write whole months before a date, outside the retention period, to a checked file, then remove them from the database'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "break-glass" -d 'Break-glass lookups of restricted persons, and refused attempts, newest first'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from mdm" -f -a "validate" -d 'Check that the last MDM load is complete: freshness, counts, key sets, drops, orphans, completeness (exit 0 pass, 6 warn, 7 fail)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from mdm" -f -a "loads" -d 'Recent load runs, with their row counts and durations'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from roles" -f -a "sync" -d 'Mirror the AD groups into PostgreSQL roles: a login role for each member of FamilyContext Users, Admins or Auditors (nested membership), the group roles famctx_users, famctx_admins and famctx_auditors, and NOLOGIN for accounts that left every group or are disabled. Roles are never dropped. Idempotent; run it from a scheduler with --yes'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "migrate" -d 'Apply pending migrations (connects as FAMCTX_OWNER_URL, else the database URL)'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "status" -d 'Show each migration: applied, pending, or changed since it was applied'
complete -c famctx -n "__fish_famctx_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective settings and where each came from (secrets redacted)'
