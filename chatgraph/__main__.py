from chatgraph.cli import app

app(prog_name="chatgraph")
