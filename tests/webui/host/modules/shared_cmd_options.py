from modules import cmd_args

cmd_opts, _unknown = cmd_args.parser.parse_known_args([])


def parse(argv):
    global cmd_opts
    cmd_opts = cmd_args.parser.parse_args(argv)
    # Computed like A1111: extension access is refused on an exposed host.
    cmd_opts.disable_extension_access = bool(
        (cmd_opts.share or cmd_opts.listen or cmd_opts.ngrok or cmd_opts.server_name)
        and not cmd_opts.enable_insecure_extension_access)
    return cmd_opts
