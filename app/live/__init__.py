"""The live screen for a workshop room: figures as answers come in, approved texts only, display links."""
