"""Pure functions of the request pipeline: nothing in this package touches a socket."""
