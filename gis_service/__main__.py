from gis_service.cli import app

app(prog_name="gis-service")
