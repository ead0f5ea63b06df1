"""Sign-in with a carrier's own directory (OpenID Connect): the provider's settings and group
mappings (models), the protocol through Authlib and joserfc (protocol), and the rules that stay
below the /manage/ pages (services). The accounts themselves are made and ended by
caseworks.house.directory with the house's account services."""
