package resolvers

import (
	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/vendors/echo"
)

func toEchoReply(r *echo.Reply) *model.EchoReply {
	return &model.EchoReply{Message: r.Message, ServedBy: r.ServedBy}
}

// echo is the echo client, or VENDOR_NOT_CONFIGURED.
func (c *Clients) echo() (*echo.Client, error) {
	return clientOf[*echo.Client](c, echo.Name)
}
