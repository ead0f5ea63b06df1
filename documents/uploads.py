"""Uploads kept in memory: the plaintext of a family's papers never lands in a temporary
file (Django writes uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to one), and an upload above
the limit is cut off while it arrives instead of being buffered first."""

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class BoundedMemoryUploadHandler(FileUploadHandler):
    """All files of one request in memory, at most `limit` bytes together. Beyond it the
    rest of the body is read and dropped, `too_large` is set, and the form says so."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.total = 0
        self.too_large = False
        self.buffer = io.BytesIO()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > self.limit:
            self.too_large = True
            self.buffer = io.BytesIO()
            # connection_reset=False: the body is read to its end and dropped, so the page
            # with the reason can be answered (fields sent before the files are kept).
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        # The browser's file name is kept only for this request; it is never stored,
        # logged or shown (documents.views.neutral_filename names what is served).
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
